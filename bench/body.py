"""bench/run's request body for one query file: the query with the IDs it names (@ORG@, @SME@…,
from $BENCH_IDS as KEY=Type:row pairs) made global, written as the .graphql file that trace-sql
reads and as the JSON body that wrk posts.

Usage: body.py QUERY.graphql OUT.graphql OUT.json
"""

import base64
import json
import os
import sys

source, graphql_out, json_out = sys.argv[1:]
text = open(source).read()
for pair in os.environ.get("BENCH_IDS", "").split():
    key, node = pair.split("=", 1)
    text = text.replace(f"@{key}@", base64.urlsafe_b64encode(node.encode()).decode().rstrip("="))
with open(graphql_out, "w") as out:
    out.write(text)
with open(json_out, "w") as out:
    out.write(json.dumps({"query": text}) + "\n")
