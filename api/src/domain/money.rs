//! Money: whole yen, never negative, and never more than 2^53 − 1, the largest integer a JSON
//! number carries exactly in every client (JavaScript's `Number.MAX_SAFE_INTEGER`). A capital of
//! ¥3 billion does not fit a 32-bit `Int`; ¥9 quadrillion is beyond any SME or loan.

use std::fmt;

/// An amount in whole yen, 0 ..= [`Yen::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Yen(i64);

/// Why an amount is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YenError {
    #[error("an amount in yen is not negative")]
    Negative,
    #[error("an amount in yen is at most 9007199254740991 (2^53 − 1)")]
    TooLarge,
    #[error("an amount in yen is a whole number of yen")]
    Fraction,
}

impl Yen {
    /// 2^53 − 1.
    pub const MAX: i64 = (1 << 53) - 1;

    pub fn new(amount: i64) -> Result<Self, YenError> {
        if amount < 0 {
            Err(YenError::Negative)
        } else if amount > Self::MAX {
            Err(YenError::TooLarge)
        } else {
            Ok(Self(amount))
        }
    }

    /// From an unsigned JSON integer.
    pub fn from_u64(amount: u64) -> Result<Self, YenError> {
        i64::try_from(amount)
            .map_err(|_| YenError::TooLarge)
            .and_then(Self::new)
    }

    /// From a JSON number written with a fraction or an exponent (`3e9`): accepted when it is a
    /// whole number of yen within range.
    pub fn from_f64(amount: f64) -> Result<Self, YenError> {
        if amount.is_nan() {
            return Err(YenError::Fraction);
        }
        if amount.is_infinite() {
            return Err(if amount < 0.0 {
                YenError::Negative
            } else {
                YenError::TooLarge
            });
        }
        if amount.fract() != 0.0 {
            return Err(YenError::Fraction);
        }
        if amount < 0.0 {
            return Err(YenError::Negative);
        }
        // Every whole f64 up to 2^53 converts exactly; anything above is refused.
        if amount > Self::MAX as f64 {
            return Err(YenError::TooLarge);
        }
        Self::new(amount as i64)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "¥{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundaries() {
        assert_eq!(Yen::new(0).map(Yen::get), Ok(0));
        assert_eq!(Yen::new(Yen::MAX).map(Yen::get), Ok(9_007_199_254_740_991));
        assert_eq!(Yen::new(Yen::MAX + 1), Err(YenError::TooLarge));
        assert_eq!(Yen::new(-1), Err(YenError::Negative));
        assert_eq!(Yen::new(i64::MIN), Err(YenError::Negative));
        assert_eq!(Yen::from_u64(u64::MAX), Err(YenError::TooLarge));
        assert_eq!(
            Yen::from_u64(3_000_000_000).map(Yen::get),
            Ok(3_000_000_000)
        );
    }

    #[test]
    fn whole_floats_only() {
        assert_eq!(Yen::from_f64(3e9).map(Yen::get), Ok(3_000_000_000));
        assert_eq!(Yen::from_f64(0.0).map(Yen::get), Ok(0));
        assert_eq!(Yen::from_f64(-0.0).map(Yen::get), Ok(0));
        assert_eq!(Yen::from_f64(1.5), Err(YenError::Fraction));
        assert_eq!(Yen::from_f64(-1.0), Err(YenError::Negative));
        assert_eq!(
            Yen::from_f64(9_007_199_254_740_992.0),
            Err(YenError::TooLarge)
        );
        assert_eq!(Yen::from_f64(1e300), Err(YenError::TooLarge));
        assert_eq!(Yen::from_f64(f64::NAN), Err(YenError::Fraction));
        assert_eq!(Yen::from_f64(f64::INFINITY), Err(YenError::TooLarge));
    }
}
