//! Typed values of an organisation's profile, parsed once from caller input.

/// A directory code: lowercase letters, digits and inner hyphens, 2–40 characters (`aist`,
/// `meti-chubu`, `ura-skill`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code(String);

impl Code {
    pub fn parse(value: &str) -> Result<Self, String> {
        let ok = (2..=40).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-')
            && !value.contains("--");
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err("a code is 2–40 lowercase letters, digits and single inner hyphens".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An absolute http(s) URL of at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebsiteUrl(String);

impl WebsiteUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let url = reqwest::Url::parse(value).map_err(|_| "not a valid URL".to_owned())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err("a website is an http:// or https:// URL".to_owned());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("a website URL carries no credentials".to_owned());
        }
        if value.len() > 500 {
            return Err("at most 500 characters".to_owned());
        }
        Ok(Self(url.to_string()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A plausible e-mail address (one `@`, a dotted domain, no spaces), at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let valid = value.len() <= 254
            && !value.chars().any(char::is_whitespace)
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err("not a valid e-mail address".to_owned())
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A telephone number: digits with optional `+`, spaces, hyphens and parentheses; 6–20 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(value: &str) -> Result<Self, String> {
        const ALLOWED: &str = "0123456789+-() ";
        let value = value.trim();
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if value.len() <= 40
            && (6..=20).contains(&digits)
            && value.chars().all(|c| ALLOWED.contains(c))
        {
            Ok(Self(value.to_owned()))
        } else {
            Err("not a valid telephone number".to_owned())
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Free text of at most `max` characters, trimmed; empty means "none".
pub fn text(value: &str, max: usize) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.chars().count() > max {
        Err(format!("at most {max} characters"))
    } else if value.is_empty() {
        Ok(None)
    } else {
        Ok(Some(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        for good in ["aist", "meti-chubu", "a1", "x-y-z"] {
            assert!(Code::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "a",
            "AIST",
            "-a",
            "a-",
            "a--b",
            "a_b",
            "ｊｓｔ",
            &"a".repeat(41),
        ] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(
            WebsiteUrl::parse(" https://www.aist.go.jp ")
                .unwrap()
                .into_inner(),
            "https://www.aist.go.jp/"
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://x.jp",
            "www.aist.go.jp",
            "https://user:pw@x.jp/",
            "https://",
        ] {
            assert!(WebsiteUrl::parse(bad).is_err(), "{bad}");
        }
        assert!(WebsiteUrl::parse(&format!("https://x.jp/{}", "a".repeat(500))).is_err());
    }

    #[test]
    fn emails_and_phones() {
        assert!(EmailAddress::parse("info@aist.go.jp").is_ok());
        for bad in ["info", "a@b", "a b@c.jp", "@c.jp", "a@@c.jp", "a@.jp"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert!(PhoneNumber::parse("+81 (3) 5501-0900").is_ok());
        for bad in ["12345", "call me", "+81-3-5501-0900-0000-0000-0000"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_bounds() {
        assert_eq!(text("  ", 10).unwrap(), None);
        assert_eq!(text(" 名古屋 ", 3).unwrap().as_deref(), Some("名古屋"));
        assert!(text("名古屋大学", 3).is_err());
    }
}
