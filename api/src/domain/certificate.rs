//! Certificate numbers: `IIN-XXXX-XXXX-XXXX`, twelve Crockford base-32 symbols drawn from 60
//! random bits, so numbers reveal nothing of each other and cannot be guessed in sequence.
//! Readers forgive case, spaces, and the letters Crockford reads as digits (O as 0, I and L as 1).

const SYMBOLS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PREFIX: &str = "IIN";

pub fn new_number() -> String {
    let random = uuid::Uuid::new_v4().as_u128();
    let mut symbols = String::with_capacity(12);
    for i in 0..12 {
        let index = ((random >> (5 * i)) & 0x1f) as usize;
        symbols.push(char::from(SYMBOLS[index]));
    }
    format!(
        "{PREFIX}-{}-{}-{}",
        &symbols[0..4],
        &symbols[4..8],
        &symbols[8..12]
    )
}

/// The canonical form of a number a person typed, or `None` when it cannot be one.
pub fn normalize(input: &str) -> Option<String> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let body: String = compact
        .strip_prefix(PREFIX)?
        .chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    if body.len() != 12 || !body.bytes().all(|b| SYMBOLS.contains(&b)) {
        return None;
    }
    Some(format!(
        "{PREFIX}-{}-{}-{}",
        &body[0..4],
        &body[4..8],
        &body[8..12]
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn numbers_are_well_formed_and_distinct() {
        let numbers: HashSet<_> = (0..2000).map(|_| new_number()).collect();
        assert_eq!(numbers.len(), 2000);
        for number in &numbers {
            assert_eq!(normalize(number).as_deref(), Some(number.as_str()));
        }
    }

    #[test]
    fn typing_slips_are_forgiven_and_junk_refused() {
        assert_eq!(
            normalize(" iin-7k4q m2xd-9htr ").as_deref(),
            Some("IIN-7K4Q-M2XD-9HTR")
        );
        assert_eq!(
            normalize("IIN-7K4Q-M2XD-9HTO").as_deref(),
            Some("IIN-7K4Q-M2XD-9HT0")
        );
        assert_eq!(
            normalize("IIN-7K4Q-M2XD-9HTL").as_deref(),
            Some("IIN-7K4Q-M2XD-9HT1")
        );
        for junk in [
            "",
            "IIN-",
            "IIN-7K4Q-M2XD-9HT",
            "IIN-7K4Q-M2XD-9HTRR",
            "IIN-7K4Q-M2XD-9HTU",
            "ABC-7K4Q-M2XD-9HTR",
        ] {
            assert_eq!(normalize(junk), None, "{junk}");
        }
    }
}
