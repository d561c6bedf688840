//! A sentence of words and numbers, each number with its exact value
//! ([`Phrase`]): the capacity answers ([`crate::report::answers`]) and
//! what drives them ([`crate::report::drivers`]) are built of them.

use serde::{Serialize, Serializer};

/// One piece of a [`Phrase`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Piece {
    /// Words.
    Text(String),
    /// A number as shown (`10 Feb 2026`, `143%`, `5,704`) with the exact
    /// value it shows (the day number, the ratio, the count), which the
    /// JSON holds too.
    Number {
        /// The exact value.
        value: f64,
        /// How it reads.
        text: String,
    },
}

/// A sentence of an answer: words and numbers, each number with its exact
/// value, so that the plain text ([`Phrase::text`]) and the HTML report
/// (where each number is a `<data value>`) show the same figures. It
/// serialises as its text.
///
/// # Example
///
/// ```
/// use custody_sim::report::answers::{Phrase, Piece};
///
/// let p = Phrase::default().words("peak ").number(5704.0, "5,704");
/// assert_eq!(p.text(), "peak 5,704");
/// assert!(matches!(p.pieces()[1], Piece::Number { value, .. } if value == 5704.0));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Phrase {
    pieces: Vec<Piece>,
}

impl Phrase {
    /// Adds words.
    pub fn words(mut self, text: impl Into<String>) -> Phrase {
        self.push(text);
        self
    }

    /// Adds a number shown as `text`.
    pub fn number(mut self, value: f64, text: impl Into<String>) -> Phrase {
        self.num(value, text);
        self
    }

    /// Adds words (in place).
    pub(crate) fn push(&mut self, text: impl Into<String>) {
        let text = text.into();
        if let Some(Piece::Text(t)) = self.pieces.last_mut() {
            t.push_str(&text);
        } else {
            self.pieces.push(Piece::Text(text));
        }
    }

    /// Adds a number shown as `text` (in place).
    pub(crate) fn num(&mut self, value: f64, text: impl Into<String>) {
        self.pieces.push(Piece::Number {
            value,
            text: text.into(),
        });
    }

    /// The pieces, in order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The sentence as plain text.
    pub fn text(&self) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.as_str(),
                Piece::Number { text, .. } => text.as_str(),
            })
            .collect()
    }
}

impl Serialize for Phrase {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}
