//! Where a key is in a scenario file, from the TOML parser's spans.
//!
//! Runners report errors at the key they are about (`device.block_size`,
//! `script.steps.3`). Searching the text for the key's name would find the
//! first occurrence anywhere, in another table or in a comment; the parser's
//! spans find the key itself.

use toml::de::{DeTable, DeValue};

/// The byte offset in `text` of what the dotted `path` names: `device.block_size` is
/// the key `block_size` of table `device`; a number indexes an array, so
/// `script.steps.3` is the fourth step and `volume.1` the second `[[volume]]` table.
///
/// When only a prefix of the path exists, the offset of the deepest part found
/// (so a missing `device.leom` points at `[device]`); `None` when the text does
/// not parse or not even the first part exists.
pub fn offset_of(text: &str, path: &str) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    let mut array: Option<&[toml::Spanned<DeValue<'_>>]> = None;
    let mut found = None;
    for seg in path.split('.') {
        let value = match (seg.parse::<usize>(), table, array) {
            (_, Some(t), _) => {
                let Some((key, value)) = t.iter().find(|(key, _)| key.get_ref().as_ref() == seg)
                else {
                    break;
                };
                found = Some(key.span().start);
                value
            }
            (Ok(i), _, Some(items)) => {
                let Some(item) = items.get(i) else { break };
                found = Some(item.span().start);
                item
            }
            _ => break,
        };
        (table, array) = match value.get_ref() {
            DeValue::Table(t) => (Some(t), None),
            DeValue::Array(items) => (None, Some(items.as_ref())),
            _ => (None, None),
        };
    }
    found
}

#[cfg(test)]
mod tests {
    use super::offset_of;

    const TEXT: &str = "\
# steps and block_size, in a comment first
[model]
steps = 1
block_size = 2

[device]
block_size = 3

[[volume]]
barcode = \"A\"
[[volume]]
barcode = \"B\"

[script]
steps = [{ op = \"start\" }, { op = \"finish\" }]
";

    fn line(path: &str) -> Option<usize> {
        offset_of(TEXT, path).map(|at| TEXT[..at].matches('\n').count() + 1)
    }

    #[test]
    fn a_key_in_two_tables_and_a_comment_is_found_in_the_table_named() {
        assert_eq!(line("device.block_size"), Some(7));
        assert_eq!(line("model.block_size"), Some(4));
        assert_eq!(line("script.steps"), Some(15));
    }

    #[test]
    fn an_index_finds_the_element_and_a_missing_key_its_deepest_table() {
        assert_eq!(line("volume.1.barcode"), Some(12));
        let second_step = offset_of(TEXT, "script.steps.1");
        assert_eq!(
            second_step.map(|at| &TEXT[at..at + 14]),
            Some("{ op = \"finish")
        );
        assert_eq!(line("device.leom"), Some(6));
        assert_eq!(line("nowhere"), None);
    }
}
