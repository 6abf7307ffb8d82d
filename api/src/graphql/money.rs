//! The `Yen` scalar: every amount of money in the API.

use async_graphql::{InputValueError, InputValueResult, Number, Scalar, ScalarType, Value};

use crate::domain::money;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Yen(pub money::Yen);

/// An amount of money in whole yen, from 0 to 9007199254740991 (2^53 − 1), written as a JSON
/// number. A value below 0, above 2^53 − 1, with a fraction, or written as a string is refused
/// with `BAD_USER_INPUT` naming the field.
#[Scalar(name = "Yen")]
impl ScalarType for Yen {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::Number(number) = &value else {
            return Err(InputValueError::custom(
                "expected a whole number of yen as a JSON number",
            ));
        };
        let parsed = if let Some(n) = number.as_u64() {
            money::Yen::from_u64(n)
        } else if let Some(n) = number.as_i64() {
            money::Yen::new(n)
        } else {
            money::Yen::from_f64(number.as_f64().unwrap_or(f64::NAN))
        };
        parsed
            .map(Yen)
            .map_err(|e| InputValueError::custom(e.to_string()))
    }

    /// The same test as `parse`, so that validation refuses a bad amount, literal or variable,
    /// naming its argument (`Invalid value for argument "input.amount"`), before execution.
    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::Number(Number::from(self.0.get()))
    }
}

impl From<money::Yen> for Yen {
    fn from(yen: money::Yen) -> Self {
        Self(yen)
    }
}
