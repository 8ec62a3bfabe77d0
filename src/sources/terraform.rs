//! Terraform source: `.tf` (HCL) and `.tf.json`.

use super::Extracted;
use crate::model::Problem;
use crate::syntax::json::Value;

/// Whether a parsed JSON file is Terraform source in JSON syntax.
pub fn detect_json(root: &Value<'_>) -> bool {
    let _ = root;
    false
}

pub fn extract_json(text: &str, root: &Value<'_>, out: &mut Extracted) {
    let _ = (text, root, out);
}

/// # Errors
/// When the file is not valid HCL.
pub fn extract_hcl(text: &str) -> Result<Option<Extracted>, Problem> {
    let _ = text;
    Ok(None)
}
