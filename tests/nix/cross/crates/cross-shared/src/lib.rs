/// Upper-cases `text` and adds an exclamation mark.
pub fn shout(text: &str) -> String {
    format!("{}!", text.to_uppercase())
}
