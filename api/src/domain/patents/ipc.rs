//! International Patent Classification symbols (WIPO's IPC): a section letter A–H, a two-digit
//! class, a subclass letter, then `group/subgroup` after a space: `H01M 8/12`. The main group has
//! one to four digits and no leading zero; the subgroup two to six digits (`/00` is the main
//! group itself).
//!
//! Symbols are stored as `,H01M 8/12,G01N 27/407,` so that "has a class under X" is a plain
//! `LIKE` on every database: a filter names a symbol or any level above it (`H`, `H01`, `H01M`,
//! `H01M 8`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpcSymbol {
    subclass: String,
    group: u32,
    subgroup: String,
}

fn section_class_subclass(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    (b.len() == 4
        && (b'A'..=b'H').contains(&b[0])
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3].is_ascii_uppercase())
    .then_some(text)
}

fn group_number(text: &str) -> Option<u32> {
    (!text.is_empty()
        && text.len() <= 4
        && text.bytes().all(|b| b.is_ascii_digit())
        && !text.starts_with('0'))
    .then(|| text.parse().ok())
    .flatten()
}

fn refusal(value: &str) -> String {
    format!(
        "an IPC symbol is a section A–H, a two-digit class, a subclass letter and group/subgroup, like \"H01M 8/12\", not {value:?}"
    )
}

impl IpcSymbol {
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let (head, rest) = value.split_once(' ').ok_or_else(|| refusal(value))?;
        let subclass = section_class_subclass(head).ok_or_else(|| refusal(value))?;
        let (group, subgroup) = rest
            .trim_start()
            .split_once('/')
            .ok_or_else(|| refusal(value))?;
        let group = group_number(group).ok_or_else(|| refusal(value))?;
        if !(2..=6).contains(&subgroup.len()) || !subgroup.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refusal(value));
        }
        Ok(Self {
            subclass: subclass.to_owned(),
            group,
            subgroup: subgroup.to_owned(),
        })
    }
}

impl fmt::Display for IpcSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/{}", self.subclass, self.group, self.subgroup)
    }
}

/// A symbol or a level above it, as a filter names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpcPrefix(String);

impl IpcPrefix {
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let refuse = || {
            format!(
                "an IPC class filter is a section (\"H\"), class (\"H01\"), subclass (\"H01M\"), main group (\"H01M 8\") or symbol (\"H01M 8/12\"), not {value:?}"
            )
        };
        if value.contains('/') {
            return IpcSymbol::parse(value)
                .map(|s| Self(format!("{s},")))
                .map_err(|_| refuse());
        }
        if let Some((head, group)) = value.split_once(' ') {
            let head = section_class_subclass(head).ok_or_else(refuse)?;
            let group = group_number(group.trim_start()).ok_or_else(refuse)?;
            return Ok(Self(format!("{head} {group}/")));
        }
        let b = value.as_bytes();
        let ok = match b.len() {
            1 => (b'A'..=b'H').contains(&b[0]),
            3 => (b'A'..=b'H').contains(&b[0]) && b[1].is_ascii_digit() && b[2].is_ascii_digit(),
            4 => section_class_subclass(value).is_some(),
            _ => false,
        };
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(refuse())
        }
    }

    /// The `LIKE` pattern over the stored list (no `%` or `_` can occur in a prefix).
    pub fn like_pattern(&self) -> String {
        format!("%,{}%", self.0)
    }

    /// Whether a symbol falls under this prefix.
    pub fn covers(&self, symbol: &str) -> bool {
        format!("{symbol},").starts_with(&self.0)
    }
}

pub fn encode(symbols: &[IpcSymbol]) -> String {
    let mut text = String::from(",");
    for symbol in symbols {
        text.push_str(&symbol.to_string());
        text.push(',');
    }
    text
}

pub fn decode(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_at_their_boundaries() {
        let symbol = IpcSymbol::parse(" H01M 8/12 ").unwrap();
        assert_eq!(symbol.to_string(), "H01M 8/12");
        assert_eq!(
            IpcSymbol::parse("A61K  9/0002").unwrap().to_string(),
            "A61K 9/0002"
        );
        assert!(IpcSymbol::parse("C07D 487/04").is_ok());
        assert!(IpcSymbol::parse("G06F 3/00").is_ok());
        for bad in [
            "I01M 8/12",
            "h01m 8/12",
            "H1M 8/12",
            "H01 8/12",
            "H01m 8/12",
            "H01M8/12",
            "H01M 8/1",
            "H01M 8/1234567",
            "H01M 08/12",
            "H01M 12345/12",
            "H01M 8",
            "H01M /12",
            "H01M 8/ab",
            "H01M",
            "",
        ] {
            assert!(IpcSymbol::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn prefixes_cover_their_subtree_only() {
        let stored = encode(&[
            IpcSymbol::parse("H01M 8/12").unwrap(),
            IpcSymbol::parse("H01M 80/00").unwrap(),
        ]);
        assert_eq!(stored, ",H01M 8/12,H01M 80/00,");
        for (prefix, symbol, covered) in [
            ("H", "H01M 8/12", true),
            ("H01", "H01M 8/12", true),
            ("H01M", "H01M 8/12", true),
            ("H01M 8", "H01M 8/12", true),
            ("H01M 8", "H01M 80/00", false),
            ("H01M 8/12", "H01M 8/12", true),
            ("H01M 8/12", "H01M 8/122", false),
            ("G", "H01M 8/12", false),
        ] {
            assert_eq!(
                IpcPrefix::parse(prefix).unwrap().covers(symbol),
                covered,
                "{prefix} / {symbol}"
            );
        }
        assert_eq!(
            IpcPrefix::parse("H01M 8").unwrap().like_pattern(),
            "%,H01M 8/%"
        );
        for bad in [
            "", "I", "H0", "H01MM", "h01m", "H01M 08", "H01M 8/1", "燃料",
        ] {
            assert!(IpcPrefix::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(decode(&stored), ["H01M 8/12", "H01M 80/00"]);
    }
}
