//! crateplan as a module for Determinate Nix's `builtins.wasm` (non-WASI,
//! `wasm32-unknown-unknown`). Built by `scripts/build-wasm` and committed as
//! `nix/crateplan.wasm`; see `docs/routes.md`.
//!
//! ```nix
//! builtins.wasm { path = ./nix/crateplan.wasm; function = "plan"; } {
//!   request = builtins.toJSON request;   # the JSON request (a string)
//!   root = /.;                           # base path value for every file read
//!   readDir = builtins.readDir;
//!   pathExists = builtins.pathExists;
//! }
//! ```
//!
//! The result is the answer envelope of [`crateplan::plan_json`] as a string,
//! byte for byte what every other route answers. Exports: `memory`,
//! `nix_wasm_init_v1`, `plan`, and `probe` (a debugging aid that shows what
//! the planner would see for one path, see [`probe`]).

pub mod host;
pub mod nixfs;

#[cfg(target_arch = "wasm32")]
mod wasm;

use crateplan::fs::{EntryKind, Fs};
use host::{Host, ValueType};
use nixfs::NixFs;
use sha2::{Digest, Sha256};

/// The attributes of `plan`'s argument (and `probe`'s, plus `op` and `path`).
pub const ARG_SHAPE: &str =
    "{ request = <JSON string>; root = /.; readDir = builtins.readDir; pathExists = builtins.pathExists; }";

/// The parsed argument: the caller's file-access functions and the rest.
struct Args<'h, H: Host> {
    fs: NixFs<'h, H>,
    string_attrs: Vec<(&'static str, Vec<u8>)>,
}

/// Reads and checks the argument attrset. `strings` names the string
/// attributes the entry point wants besides the common ones.
fn parse_args<'h, H: Host>(
    host: &'h H,
    entry: &str,
    shape: &str,
    arg: H::Value,
    strings: &[&'static str],
) -> Args<'h, H> {
    let fail = |what: String| -> ! {
        host.fail(&format!(
            "crateplan.wasm `{entry}`: {what}; the argument must be {shape}"
        ))
    };
    let ty = host.get_type(arg);
    if ty != ValueType::Attrs {
        fail(format!("the argument is {}", ty.describe()));
    }
    for (name, _) in host.attrs(arg) {
        let known = matches!(name.as_slice(), b"root" | b"readDir" | b"pathExists")
            || strings.iter().any(|s| s.as_bytes() == name.as_slice());
        if !known {
            fail(format!(
                "unknown attribute `{}`",
                String::from_utf8_lossy(&name)
            ));
        }
    }
    let get = |name: &str, want: ValueType| -> H::Value {
        let Some(v) = host.get_attr(arg, name) else {
            fail(format!("the attribute `{name}` is missing"));
        };
        let ty = host.get_type(v);
        if ty != want {
            fail(format!(
                "`{name}` is {}, not {}",
                ty.describe(),
                want.describe()
            ));
        }
        v
    };
    let root = get("root", ValueType::Path);
    let read_dir = get("readDir", ValueType::Function);
    let path_exists = get("pathExists", ValueType::Function);
    let string_attrs = strings
        .iter()
        .map(|&name| (name, host.string(get(name, ValueType::String))))
        .collect();
    Args {
        fs: NixFs::new(host, root, read_dir, path_exists),
        string_attrs,
    }
}

/// The `plan` entry point: `{ request; root; readDir; pathExists; }` in, the
/// answer JSON (a string) out.
pub fn plan<H: Host>(host: &H, arg: H::Value) -> H::Value {
    let args = parse_args(host, "plan", ARG_SHAPE, arg, &["request"]);
    let answer = crateplan::plan_json(&args.fs, &args.string_attrs[0].1);
    host.make_string(&answer)
}

/// The `probe` entry point, for debugging file access from Nix:
/// `{ root; readDir; pathExists; op = "read" | "readDir"; path = "/abs"; }`.
/// Answers what the planner would get through the same [`Fs`]:
/// `{ ok = true; size; sha256; }` for `read`, `{ ok = true; entries = {
/// name = "file" | "dir" | "other"; }; }` for `readDir`, and
/// `{ ok = false; error; }` when the planner would see an error.
pub fn probe<H: Host>(host: &H, arg: H::Value) -> H::Value {
    const SHAPE: &str = "{ op = \"read\" | \"readDir\"; path = \"/absolute/path\"; root = /.; readDir = builtins.readDir; pathExists = builtins.pathExists; }";
    let args = parse_args(host, "probe", SHAPE, arg, &["op", "path"]);
    let op = args.string_attrs[0].1.as_slice();
    let path = String::from_utf8_lossy(&args.string_attrs[1].1).into_owned();
    let result = match op {
        b"read" => args.fs.read(&path).map(|bytes| {
            let digest = Sha256::digest(&bytes);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            vec![
                ("size", host.make_int(bytes.len() as i64)),
                ("sha256", host.make_string(hex.as_bytes())),
            ]
        }),
        b"readDir" => args.fs.read_dir(&path).map(|entries| {
            let values: Vec<(String, H::Value)> = entries
                .into_iter()
                .map(|(name, kind)| {
                    let kind: &[u8] = match kind {
                        EntryKind::File => b"file",
                        EntryKind::Dir => b"dir",
                        EntryKind::Other => b"other",
                    };
                    (name, host.make_string(kind))
                })
                .collect();
            let refs: Vec<(&str, H::Value)> =
                values.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            vec![("entries", host.make_attrset(&refs))]
        }),
        other => host.fail(&format!(
            "crateplan.wasm `probe`: unknown op `{}`; the argument must be {SHAPE}",
            String::from_utf8_lossy(other)
        )),
    };
    let attrs = match result {
        Ok(mut attrs) => {
            attrs.push(("ok", host.make_bool(true)));
            attrs
        }
        Err(e) => vec![
            ("ok", host.make_bool(false)),
            ("error", host.make_string(e.to_string().as_bytes())),
        ],
    };
    host.make_attrset(&attrs)
}
