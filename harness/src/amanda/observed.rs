//! What one side did with a case, in a form both sides share: the linked
//! chain (glue and the mechanism into each element), the messages by
//! linked position, the final status and the bytes that arrived; and a
//! [`Disagreement`] between two such observations.

/// One aspect on which the two sides disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// `amanda-ended`, `ours-ended`, `linkage`, `crc`, `messages`, `status` or `output`.
    pub aspect: &'static str,
    /// What each side did.
    pub detail: String,
}

/// How a side's run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// It finished (DONE delivered).
    Finished,
    /// It did not finish within the timeout and was killed.
    Hung {
        /// The timeout, in seconds.
        secs: u64,
    },
    /// It crashed or failed outside the transfer (signal, `error()`, refusal).
    Crashed {
        /// Exit status or signal, and the tail of stderr.
        detail: String,
    },
}

/// One linked element: whether it is glue, and the mechanism it takes input by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Linked {
    /// Inserted glue rather than a user element.
    pub glue: bool,
    /// Input mechanism, Amanda's name (`NONE` for the source).
    pub input: String,
}

/// One message: linked position of its element, type, and CRC fields.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Message {
    /// Position in the linked chain (glue included); `usize::MAX` = unknown.
    pub at: usize,
    /// Type without `XMSG_` (`INFO`, `ERROR`, `CANCEL`, `CRC`, `DONE`).
    pub kind: String,
    /// CRC-32C and size of a CRC message.
    pub crc: Option<(u32, u64)>,
    /// The text of INFO and ERROR.
    pub text: String,
}

/// Everything a side did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// How it ended.
    pub ended: Ended,
    /// The linked chain, when the linker ran.
    pub linkage: Option<Vec<Linked>>,
    /// The linkage as printed.
    pub linkage_line: String,
    /// Messages, in delivery order.
    pub messages: Vec<Message>,
    /// `done`, `failed` or `cancelled`.
    pub status: String,
    /// The bytes a buffer or fd destination holds.
    pub output: Option<Vec<u8>>,
}

impl Observed {
    /// An observation of a run that ended before reporting anything.
    pub fn ended(ended: Ended) -> Observed {
        Observed {
            ended,
            linkage: None,
            linkage_line: String::new(),
            messages: Vec::new(),
            status: String::new(),
            output: None,
        }
    }

    /// A human summary of this side, for a finding file.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "ended: {:?}\nlinkage: {}\nstatus: {}\n",
            self.ended, self.linkage_line, self.status
        );
        for m in &self.messages {
            let crc = m
                .crc
                .map(|(c, s)| format!(" crc={c:08x} size={s}"))
                .unwrap_or_default();
            out.push_str(&format!("msg [{}] {}{crc} {}\n", m.at, m.kind, m.text));
        }
        if let Some(o) = &self.output {
            out.push_str(&format!("output: {} bytes\n", o.len()));
        }
        out
    }
}
