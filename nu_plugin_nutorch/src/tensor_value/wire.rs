//! How a [`TensorValue`] is written for the plugin protocol.
//!
//! Every command that takes or returns a tensor sends this form across the protocol, nested in
//! Nushell's own message (where each of its bytes is a msgpack integer of its own, read one at a
//! time), so it is kept small: one-letter fields, the id's 16 UUID bytes instead of its 36
//! characters, the dtype as its position in `DType::all()`. That halves it (107 → 55 bytes for a
//! 2-d float32 tensor) and with it the protocol's work per tensor-valued argument or result.
//!
//! Reading also accepts the earlier form (`id`, `shape`, `dtype` by name, `device`,
//! `requires_grad`), which values held by a Nushell session may still carry from a plugin
//! before this one.

use super::TensorValue;
use nutorch_core::DType;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The wire code of a dtype: its position in `DType::all()`, which therefore only grows at
/// its end.
fn dtype_code(name: &str) -> Option<u8> {
    DType::all().position(|d| d.name() == name).and_then(|i| u8::try_from(i).ok())
}

fn dtype_of_code(code: u64) -> Option<&'static str> {
    DType::all().nth(usize::try_from(code).ok()?).map(DType::name)
}

/// The id as written: its UUID's bytes, or the text itself for an id that is not a UUID.
struct Id<'a>(&'a str);

impl Serialize for Id<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match uuid::Uuid::try_parse(self.0) {
            // Only the canonical (lowercase, hyphenated) text round-trips through the bytes.
            Ok(uuid) if uuid.hyphenated().to_string() == self.0 => serializer.serialize_bytes(uuid.as_bytes()),
            _ => serializer.serialize_str(self.0),
        }
    }
}

struct IdVisitor;

impl<'de> Visitor<'de> for IdVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tensor id (16 UUID bytes or text)")
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<String, E> {
        uuid::Uuid::from_slice(bytes).map(|u| u.hyphenated().to_string()).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<String, E> {
        Ok(text.to_string())
    }

    // msgpack readers that see bytes as a sequence of integers.
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        let mut bytes = Vec::with_capacity(16);
        while let Some(b) = seq.next_element::<u8>()? {
            bytes.push(b);
        }
        self.visit_bytes(&bytes)
    }
}

struct IdField(String);

impl<'de> Deserialize<'de> for IdField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IdVisitor).map(IdField)
    }
}

/// The dtype as written: a wire code, or (the earlier form) its name.
struct DTypeField(String);

impl<'de> Deserialize<'de> for DTypeField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a dtype code or name")
            }
            fn visit_u64<E: de::Error>(self, code: u64) -> Result<String, E> {
                dtype_of_code(code).map(str::to_string).ok_or_else(|| E::custom(format!("unknown dtype code {code}")))
            }
            fn visit_i64<E: de::Error>(self, code: i64) -> Result<String, E> {
                self.visit_u64(u64::try_from(code).map_err(E::custom)?)
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<String, E> {
                Ok(name.to_string())
            }
        }
        deserializer.deserialize_any(V).map(DTypeField)
    }
}

impl Serialize for TensorValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("TensorValue", 5)?;
        s.serialize_field("i", &Id(&self.id))?;
        s.serialize_field("s", &self.shape)?;
        match dtype_code(&self.dtype) {
            Some(code) => s.serialize_field("d", &code)?,
            None => s.serialize_field("d", &self.dtype)?,
        }
        s.serialize_field("v", &self.device)?;
        s.serialize_field("g", &self.requires_grad)?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for TensorValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const FIELDS: &[&str] = &["i", "s", "d", "v", "g"];
        deserializer.deserialize_struct("TensorValue", FIELDS, TensorValueVisitor)
    }
}

struct TensorValueVisitor;

impl<'de> Visitor<'de> for TensorValueVisitor {
    type Value = TensorValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a nutorch tensor value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TensorValue, A::Error> {
        let (mut id, mut shape, mut dtype, mut device, mut requires_grad) = (None, None, None, None, None);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "i" | "id" => id = Some(map.next_value::<IdField>()?.0),
                "s" | "shape" => shape = Some(map.next_value::<Vec<i64>>()?),
                "d" | "dtype" => dtype = Some(map.next_value::<DTypeField>()?.0),
                "v" | "device" => device = Some(map.next_value::<String>()?),
                "g" | "requires_grad" => requires_grad = Some(map.next_value::<bool>()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(TensorValue {
            id: id.ok_or_else(|| de::Error::missing_field("i"))?,
            shape: shape.ok_or_else(|| de::Error::missing_field("s"))?,
            dtype: dtype.ok_or_else(|| de::Error::missing_field("d"))?,
            device: device.ok_or_else(|| de::Error::missing_field("v"))?,
            requires_grad: requires_grad.ok_or_else(|| de::Error::missing_field("g"))?,
        })
    }

    // Readers that write structs as arrays of their fields, in order.
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<TensorValue, A::Error> {
        let missing = |i| de::Error::invalid_length(i, &self);
        Ok(TensorValue {
            id: seq.next_element::<IdField>()?.ok_or_else(|| missing(0))?.0,
            shape: seq.next_element()?.ok_or_else(|| missing(1))?,
            dtype: seq.next_element::<DTypeField>()?.ok_or_else(|| missing(2))?.0,
            device: seq.next_element()?.ok_or_else(|| missing(3))?,
            requires_grad: seq.next_element()?.ok_or_else(|| missing(4))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nu_protocol::CustomValue;

    fn value() -> TensorValue {
        TensorValue {
            id: "1299cfc0-10c3-4ae3-8d12-73893dac298a".into(),
            shape: vec![20, 2],
            dtype: "float32".into(),
            device: "cpu".into(),
            requires_grad: true,
        }
    }

    /// As nu-plugin writes a custom value: msgpack with field names, through typetag.
    fn through_protocol(v: &TensorValue) -> (usize, TensorValue) {
        let boxed: Box<dyn CustomValue> = Box::new(v.clone());
        let bytes = rmp_serde::to_vec_named(&boxed).unwrap();
        let back: Box<dyn CustomValue> = rmp_serde::from_slice(&bytes).unwrap();
        (bytes.len(), back.as_any().downcast_ref::<TensorValue>().unwrap().clone())
    }

    #[test]
    fn round_trips_compactly() {
        let (len, back) = through_protocol(&value());
        assert_eq!(back, value());
        assert!(len <= 60, "{len} bytes");
        let other =
            TensorValue { id: "not-a-uuid".into(), dtype: "complex128".into(), device: "cuda:1".into(), ..value() };
        assert_eq!(through_protocol(&other).1, other);
    }

    #[test]
    fn reads_the_earlier_form() {
        // What the plugin wrote before the compact form (the derive's field names).
        let old = b"\x86\xa4type\xabTensorValue\xa2id\xd9$1299cfc0-10c3-4ae3-8d12-73893dac298a\xa5shape\x92\x14\x02\
                    \xa5dtype\xa7float32\xa6device\xa3cpu\xadrequires_grad\xc3";
        let back: Box<dyn CustomValue> = rmp_serde::from_slice(old).unwrap();
        assert_eq!(back.as_any().downcast_ref::<TensorValue>(), Some(&value()));
    }

    #[test]
    fn every_dtype_has_a_code() {
        for dtype in DType::all() {
            let code = dtype_code(dtype.name()).unwrap();
            assert_eq!(dtype_of_code(code.into()), Some(dtype.name()));
        }
    }
}
