//! Industry fields are a short list per project or tie-up, kept in one text column as
//! `,code,code,` so that "has field X" is a plain `LIKE '%,x,%'` on every database.

use entity::enums::IndustryField;
use sea_orm::ActiveEnum;

pub fn encode(fields: &[IndustryField]) -> String {
    let mut text = String::from(",");
    for field in fields {
        text.push_str(&field.to_value());
        text.push(',');
    }
    text
}

/// Codes this build does not know (written by a newer one) are skipped rather than failing a read.
pub fn decode(text: &str) -> Vec<IndustryField> {
    text.split(',')
        .filter(|code| !code.is_empty())
        .filter_map(|code| IndustryField::try_from_value(&code.to_owned()).ok())
        .collect()
}

/// The `LIKE` pattern that matches a column holding `field`. Codes are `[a-z_]`; `_` is escaped.
pub fn like_pattern(field: IndustryField) -> String {
    format!("%,{},%", field.to_value().replace('_', "\\_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let fields = [IndustryField::It, IndustryField::HealthAndWelfare];
        let text = encode(&fields);
        assert_eq!(text, ",it,health_and_welfare,");
        assert_eq!(decode(&text), fields);
        assert_eq!(decode(",,unknown,food,"), [IndustryField::Food]);
    }

    #[test]
    fn pattern_escapes_underscores() {
        assert_eq!(
            like_pattern(IndustryField::HealthAndWelfare),
            "%,health\\_and\\_welfare,%"
        );
    }
}
