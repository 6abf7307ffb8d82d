// Starts GraphiQL on the page the API serves at /graphql. Queries and mutations go over HTTP to
// /graphql; subscriptions over graphql-ws on the same path. A token pasted into the headers editor
// ({"Authorization": "Bearer …"}) is sent with every HTTP request and, for subscriptions, in the
// connection_init payload, as browsers cannot set headers on a WebSocket.
(function () {
  "use strict";
  var http = new URL("/graphql", window.location.href);
  var ws = new URL("/graphql", window.location.href);
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";

  // One fetcher per token, so that a subscription connects with the token in the editor.
  var fetchers = {};
  function fetcherFor(authorization) {
    if (!fetchers[authorization]) {
      fetchers[authorization] = GraphiQL.createFetcher({
        url: http.href,
        subscriptionUrl: ws.href,
        wsConnectionParams: authorization ? { authorization: authorization } : undefined,
      });
    }
    return fetchers[authorization];
  }
  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    var authorization = headers.Authorization || headers.authorization || "";
    return fetcherFor(authorization)(params, options);
  }

  var example = [
    "# The public directory: five organisations of the Chubu bureau and their cluster projects.",
    "# A member's token goes in the headers editor below: {\"Authorization\": \"Bearer …\"}",
    "query Directory {",
    "  organizations(first: 5, filter: { bureau: CHUBU }, orderBy: { field: NAME_EN }) {",
    "    totalCount",
    "    nodes {",
    "      code nameJa nameEn kind membership",
    "      prefecture { isoCode nameEn }",
    "      clusterParticipations { role project { nameEn tieUps { foreignPartner country { nameEn } } } }",
    "    }",
    "    pageInfo { hasNextPage endCursor }",
    "  }",
    "}",
    "",
  ].join("\n");

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: example,
      defaultEditorToolsVisibility: true,
    })
  );
})();
