//! A number as a user typed it: PyTorch treats ints and floats differently (type promotion,
//! integer results), so nutorch keeps the distinction.

use tch::Scalar;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn scalar(self) -> Scalar {
        match self {
            Number::Int(i) => Scalar::int(i),
            Number::Float(f) => Scalar::float(f),
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Number::Int(v)
    }
}

impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Number::Float(v)
    }
}
