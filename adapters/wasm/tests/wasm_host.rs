//! A `builtins.wasm` host in Rust (wasmtime), implementing the "env"
//! interface the way Nix does (DeterminateSystems/nix-src
//! `src/libexpr/primops/wasm.cc`, reference notes section 3): a per-call
//! value table with id 0 reserved, a fresh instance per call,
//! `nix_wasm_init_v1` before the entry point, strings/paths/attrsets/lists/
//! functions as values, `read_file` reading real files, binary-safe.
//!
//! It loads the committed `nix/crateplan.wasm` and checks that calling
//! `plan` answers exactly what `crateplan::plan_json(&RealFs, request)`
//! answers natively, byte for byte, whatever the planner currently answers.

use crateplan::fs::{EntryKind, Fs, RealFs};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::OnceLock;
use wasmtime::{Caller, Engine, Error, Extern, Linker, Module, Store, ValType};

// ---------------------------------------------------------------- values

type V = Rc<Val>;
type NixFn = Rc<dyn Fn(&V) -> Result<V, String>>;

enum Val {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(Vec<u8>),
    Path(String),
    Null,
    /// In the host's order, which (as in Nix) is not sorted by name.
    Attrs(Vec<(String, V)>),
    List(Vec<V>),
    /// A one-argument function (Nix functions are curried).
    Func(NixFn),
    /// A lazy application (`make_app`), forced on first use.
    App(V, Vec<V>),
}

fn s(bytes: impl AsRef<[u8]>) -> V {
    Rc::new(Val::Str(bytes.as_ref().to_vec()))
}
fn path(p: &str) -> V {
    Rc::new(Val::Path(p.to_string()))
}
fn attrs(entries: Vec<(&str, V)>) -> V {
    Rc::new(Val::Attrs(
        entries
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect(),
    ))
}
fn func(f: impl Fn(&V) -> Result<V, String> + 'static) -> V {
    Rc::new(Val::Func(Rc::new(f)))
}

fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Int(_) => "an integer",
        Val::Float(_) => "a float",
        Val::Bool(_) => "a Boolean",
        Val::Str(_) => "a string",
        Val::Path(_) => "a path",
        Val::Null => "null",
        Val::Attrs(_) => "a set",
        Val::List(_) => "a list",
        Val::Func(_) => "a function",
        Val::App(..) => "a thunk",
    }
}

/// Forces lazy applications, like Nix's `forceValue`.
fn force(v: &V) -> Result<V, String> {
    let mut v = v.clone();
    while let Val::App(f, args) = &*v {
        v = call(f, args)?;
    }
    Ok(v)
}

/// A strict call with several arguments, curried.
fn call(f: &V, args: &[V]) -> Result<V, String> {
    let mut f = force(f)?;
    for arg in args {
        let Val::Func(g) = &*f else {
            return Err(format!("expected a function but found {}", type_name(&f)));
        };
        f = force(&g(arg)?)?;
    }
    Ok(f)
}

/// `CanonPath(rel, base)`: an absolute `rel` as is, otherwise below `base`;
/// `.`, `..` and repeated slashes resolved lexically.
fn canon_path(base: &str, rel: &str) -> String {
    let joined = if rel.starts_with('/') {
        rel.to_string()
    } else {
        format!("{base}/{rel}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `realisePath`: a path value, or a string holding an absolute path.
fn real_path(v: &V) -> Result<String, String> {
    match &*force(v)? {
        Val::Path(p) => Ok(p.clone()),
        Val::Str(b) if b.starts_with(b"/") => Ok(String::from_utf8_lossy(b).into_owned()),
        other => Err(format!("cannot coerce {} to a path", type_name(other))),
    }
}

/// `builtins.readDir`: name -> "regular" | "directory" | "symlink" | "unknown",
/// in the order the OS lists them (deliberately not sorted).
fn read_dir_builtin() -> V {
    func(|arg| {
        let p = real_path(arg)?;
        let rd = std::fs::read_dir(&p).map_err(|e| format!("opening directory '{p}': {e}"))?;
        let mut out = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| format!("reading directory '{p}': {e}"))?;
            let ty = entry
                .file_type()
                .map_err(|e| format!("reading directory '{p}': {e}"))?;
            let kind = if ty.is_symlink() {
                "symlink"
            } else if ty.is_file() {
                "regular"
            } else if ty.is_dir() {
                "directory"
            } else {
                "unknown"
            };
            out.push((entry.file_name().to_string_lossy().into_owned(), s(kind)));
        }
        Ok(Rc::new(Val::Attrs(out)))
    })
}

/// `builtins.pathExists` (follows symlinks).
fn path_exists_builtin() -> V {
    func(|arg| {
        let p = real_path(arg)?;
        Ok(Rc::new(Val::Bool(Path::new(&p).exists())))
    })
}

// ---------------------------------------------------------------- host

/// Per-call state, like Nix's `NixWasmInstance`.
#[derive(Default)]
struct Nix {
    values: Vec<Option<V>>,
    warnings: Vec<String>,
    /// Every path `read_file` read, in order.
    reads: Vec<String>,
}

impl Nix {
    fn add(&mut self, v: V) -> u32 {
        if self.values.is_empty() {
            self.values.push(None); // id 0 means "missing"
        }
        self.values.push(Some(v));
        (self.values.len() - 1) as u32
    }
    fn get(&self, id: u32) -> Result<V, Error> {
        match self.values.get(id as usize) {
            Some(Some(v)) => Ok(v.clone()),
            _ => Err(Error::msg(format!("invalid ValueId {id}"))),
        }
    }
    fn forced(&self, id: u32) -> Result<V, Error> {
        force(&self.get(id)?).map_err(Error::msg)
    }
}

fn memory(caller: &mut Caller<'_, Nix>) -> Result<wasmtime::Memory, Error> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| Error::msg("Wasm module does not export 'memory'"))
}

fn read_mem(caller: &mut Caller<'_, Nix>, ptr: u32, len: u32) -> Result<Vec<u8>, Error> {
    let mem = memory(caller)?;
    let data = mem.data(&*caller);
    data.get(ptr as usize..ptr as usize + len as usize)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| Error::msg("Wasm memory access out of bounds"))
}

/// Writes `bytes` at `ptr` after checking, like Nix, that the whole
/// `ptr..ptr+max_len` window is inside memory.
fn write_mem(
    caller: &mut Caller<'_, Nix>,
    ptr: u32,
    max_len: usize,
    bytes: &[u8],
) -> Result<(), Error> {
    let mem = memory(caller)?;
    let data = mem.data_mut(&mut *caller);
    let window = data
        .get_mut(ptr as usize..ptr as usize + max_len)
        .ok_or_else(|| Error::msg("Wasm memory access out of bounds"))?;
    window[..bytes.len()].copy_from_slice(bytes);
    Ok(())
}

fn u32s(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn expect_str(v: &V) -> Result<Vec<u8>, Error> {
    match &**v {
        Val::Str(b) => Ok(b.clone()),
        other => Err(Error::msg(format!(
            "expected a string but found {}",
            type_name(other)
        ))),
    }
}

fn expect_attrs(v: &V) -> Result<Vec<(String, V)>, Error> {
    match &**v {
        Val::Attrs(a) => Ok(a.clone()),
        other => Err(Error::msg(format!(
            "expected a set but found {}",
            type_name(other)
        ))),
    }
}

fn linker(engine: &Engine) -> Linker<Nix> {
    let mut l: Linker<Nix> = Linker::new(engine);
    l.func_wrap(
        "env",
        "panic",
        |mut c: Caller<'_, Nix>, ptr: u32, len: u32| -> Result<(), Error> {
            let msg = read_mem(&mut c, ptr, len)?;
            Err(Error::msg(format!(
                "Wasm panic: {}",
                String::from_utf8_lossy(&msg)
            )))
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "warn",
        |mut c: Caller<'_, Nix>, ptr: u32, len: u32| -> Result<(), Error> {
            let msg = read_mem(&mut c, ptr, len)?;
            c.data_mut()
                .warnings
                .push(String::from_utf8_lossy(&msg).into_owned());
            Ok(())
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "get_type",
        |c: Caller<'_, Nix>, v: u32| -> Result<u32, Error> {
            Ok(match &*c.data().forced(v)? {
                Val::Int(_) => 1,
                Val::Float(_) => 2,
                Val::Bool(_) => 3,
                Val::Str(_) => 4,
                Val::Path(_) => 5,
                Val::Null => 6,
                Val::Attrs(_) => 7,
                Val::List(_) => 8,
                Val::Func(_) => 9,
                Val::App(..) => return Err(Error::msg("unsupported type")),
            })
        },
    )
    .unwrap();
    l.func_wrap("env", "make_int", |mut c: Caller<'_, Nix>, n: i64| {
        c.data_mut().add(Rc::new(Val::Int(n)))
    })
    .unwrap();
    l.func_wrap(
        "env",
        "get_int",
        |c: Caller<'_, Nix>, v: u32| -> Result<i64, Error> {
            match &*c.data().forced(v)? {
                Val::Int(n) => Ok(*n),
                other => Err(Error::msg(format!(
                    "expected an integer but found {}",
                    type_name(other)
                ))),
            }
        },
    )
    .unwrap();
    l.func_wrap("env", "make_float", |mut c: Caller<'_, Nix>, x: f64| {
        c.data_mut().add(Rc::new(Val::Float(x)))
    })
    .unwrap();
    l.func_wrap(
        "env",
        "get_float",
        |c: Caller<'_, Nix>, v: u32| -> Result<f64, Error> {
            match &*c.data().forced(v)? {
                Val::Float(x) => Ok(*x),
                other => Err(Error::msg(format!(
                    "expected a float but found {}",
                    type_name(other)
                ))),
            }
        },
    )
    .unwrap();
    l.func_wrap("env", "make_bool", |mut c: Caller<'_, Nix>, b: i32| {
        c.data_mut().add(Rc::new(Val::Bool(b != 0)))
    })
    .unwrap();
    l.func_wrap(
        "env",
        "get_bool",
        |c: Caller<'_, Nix>, v: u32| -> Result<i32, Error> {
            match &*c.data().forced(v)? {
                Val::Bool(b) => Ok(*b as i32),
                other => Err(Error::msg(format!(
                    "expected a Boolean but found {}",
                    type_name(other)
                ))),
            }
        },
    )
    .unwrap();
    l.func_wrap("env", "make_null", |mut c: Caller<'_, Nix>| {
        c.data_mut().add(Rc::new(Val::Null))
    })
    .unwrap();
    l.func_wrap(
        "env",
        "make_string",
        |mut c: Caller<'_, Nix>, ptr: u32, len: u32| -> Result<u32, Error> {
            let bytes = read_mem(&mut c, ptr, len)?;
            Ok(c.data_mut().add(s(bytes)))
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "copy_string",
        |mut c: Caller<'_, Nix>, v: u32, ptr: u32, max: u32| -> Result<u32, Error> {
            let bytes = expect_str(&c.data().forced(v)?)?;
            if bytes.len() <= max as usize {
                write_mem(&mut c, ptr, max as usize, &bytes)?;
            }
            Ok(bytes.len() as u32)
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "make_path",
        |mut c: Caller<'_, Nix>, base: u32, ptr: u32, len: u32| -> Result<u32, Error> {
            let Val::Path(base) = &*c.data().forced(base)? else {
                return Err(Error::msg("make_path expects a path value"));
            };
            let rel = String::from_utf8(read_mem(&mut c, ptr, len)?).map_err(Error::msg)?;
            let p = canon_path(base, &rel);
            Ok(c.data_mut().add(path(&p)))
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "copy_path",
        |mut c: Caller<'_, Nix>, v: u32, ptr: u32, max: u32| -> Result<u32, Error> {
            let Val::Path(p) = &*c.data().forced(v)? else {
                return Err(Error::msg("copy_path expects a path value"));
            };
            if p.len() <= max as usize {
                write_mem(&mut c, ptr, max as usize, p.as_bytes())?;
            }
            Ok(p.len() as u32)
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "make_list",
        |mut c: Caller<'_, Nix>, ptr: u32, len: u32| -> Result<u32, Error> {
            let ids = u32s(&read_mem(&mut c, ptr, len * 4)?);
            let items = ids
                .iter()
                .map(|&id| c.data().get(id))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(c.data_mut().add(Rc::new(Val::List(items))))
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "copy_list",
        |mut c: Caller<'_, Nix>, v: u32, ptr: u32, max: u32| -> Result<u32, Error> {
            let Val::List(items) = &*c.data().forced(v)? else {
                return Err(Error::msg("expected a list"));
            };
            if items.len() <= max as usize {
                let mut out = Vec::new();
                for item in items {
                    out.extend_from_slice(&c.data_mut().add(item.clone()).to_le_bytes());
                }
                write_mem(&mut c, ptr, out.len(), &out)?;
            }
            Ok(items.len() as u32)
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "make_attrset",
        |mut c: Caller<'_, Nix>, ptr: u32, len: u32| -> Result<u32, Error> {
            let raw = u32s(&read_mem(&mut c, ptr, len * 12)?);
            let mut out: Vec<(String, V)> = Vec::new();
            for a in raw.chunks_exact(3) {
                let name = String::from_utf8(read_mem(&mut c, a[0], a[1])?).map_err(Error::msg)?;
                let value = c.data().get(a[2])?;
                out.retain(|(n, _)| *n != name);
                out.push((name, value));
            }
            Ok(c.data_mut().add(Rc::new(Val::Attrs(out))))
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "copy_attrset",
        |mut c: Caller<'_, Nix>, v: u32, ptr: u32, max: u32| -> Result<u32, Error> {
            let entries = expect_attrs(&c.data().forced(v)?)?;
            if entries.len() <= max as usize {
                let mut out = Vec::new();
                for (name, value) in &entries {
                    out.extend_from_slice(&c.data_mut().add(value.clone()).to_le_bytes());
                    out.extend_from_slice(&(name.len() as u32).to_le_bytes());
                }
                write_mem(&mut c, ptr, max as usize * 8, &out)?;
            }
            Ok(entries.len() as u32)
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "copy_attrname",
        |mut c: Caller<'_, Nix>, v: u32, idx: u32, ptr: u32, len: u32| -> Result<(), Error> {
            let entries = expect_attrs(&c.data().forced(v)?)?;
            let Some((name, _)) = entries.get(idx as usize) else {
                return Err(Error::msg("copy_attrname: attribute index out of bounds"));
            };
            if name.len() != len as usize {
                return Err(Error::msg(
                    "copy_attrname: buffer length does not match attribute name length",
                ));
            }
            write_mem(&mut c, ptr, len as usize, name.as_bytes())
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "get_attr",
        |mut c: Caller<'_, Nix>, v: u32, ptr: u32, len: u32| -> Result<u32, Error> {
            let name = read_mem(&mut c, ptr, len)?;
            let entries = expect_attrs(&c.data().forced(v)?)?;
            Ok(
                match entries.into_iter().find(|(n, _)| n.as_bytes() == name) {
                    Some((_, value)) => c.data_mut().add(value),
                    None => 0,
                },
            )
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "call_function",
        |mut c: Caller<'_, Nix>, f: u32, ptr: u32, len: u32| -> Result<u32, Error> {
            let fun = c.data().forced(f)?;
            if !matches!(&*fun, Val::Func(_)) {
                return Err(Error::msg(format!(
                    "expected a function but found {}",
                    type_name(&fun)
                )));
            }
            let args = u32s(&read_mem(&mut c, ptr, len * 4)?)
                .into_iter()
                .map(|id| c.data().get(id))
                .collect::<Result<Vec<_>, _>>()?;
            let result = call(&fun, &args).map_err(Error::msg)?;
            Ok(c.data_mut().add(result))
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "make_app",
        |mut c: Caller<'_, Nix>, f: u32, ptr: u32, len: u32| -> Result<u32, Error> {
            if len == 0 {
                return Ok(f);
            }
            let fun = c.data().get(f)?;
            let args = u32s(&read_mem(&mut c, ptr, len * 4)?)
                .into_iter()
                .map(|id| c.data().get(id))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(c.data_mut().add(Rc::new(Val::App(fun, args))))
        },
    )
    .unwrap();
    l.func_wrap(
        "env",
        "read_file",
        |mut c: Caller<'_, Nix>, v: u32, ptr: u32, len: u32| -> Result<u32, Error> {
            let p = real_path(&c.data().get(v)?).map_err(Error::msg)?;
            let contents =
                std::fs::read(&p).map_err(|e| Error::msg(format!("opening file '{p}': {e}")))?;
            c.data_mut().reads.push(p);
            if contents.len() <= len as usize {
                write_mem(&mut c, ptr, len as usize, &contents)?;
            }
            Ok(contents.len() as u32)
        },
    )
    .unwrap();
    l
}

struct Host {
    engine: Engine,
    module: Module,
    linker: Linker<Nix>,
}

/// What one `builtins.wasm` call left behind.
struct Outcome {
    result: Result<V, String>,
    reads: Vec<String>,
}

impl Host {
    /// `builtins.wasm { path = <module>; function = <function>; } arg`.
    fn call(&self, function: &str, arg: V) -> Outcome {
        let mut store = Store::new(&self.engine, Nix::default());
        let result = (|| -> Result<V, Error> {
            let instance = self.linker.instantiate(&mut store, &self.module)?;
            instance
                .get_typed_func::<(), ()>(&mut store, "nix_wasm_init_v1")?
                .call(&mut store, ())?;
            let arg_id = store.data_mut().add(arg);
            let f = instance.get_typed_func::<u32, u32>(&mut store, function)?;
            let res = f.call(&mut store, arg_id)?;
            store.data().forced(res)
        })();
        Outcome {
            result: result.map_err(|e| format!("{e:?}")),
            reads: std::mem::take(&mut store.data_mut().reads),
        }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const REGENERATE: &str = "if src/ changed since it was built, regenerate it with scripts/build-wasm (scripts/build-wasm --check tells)";

fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| {
        let path = repo_root().join("nix/crateplan.wasm");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read the committed module {}: {e}; build it with scripts/build-wasm",
                path.display()
            )
        });
        let engine = Engine::default();
        let module = Module::new(&engine, &bytes)
            .unwrap_or_else(|e| panic!("{} is not a valid module: {e:?}", path.display()));
        let linker = linker(&engine);
        Host {
            engine,
            module,
            linker,
        }
    })
}

/// The argument lib.nix passes.
fn plan_arg(request: &[u8]) -> V {
    // Deliberately not in sorted order, as Nix's attrsets are not.
    attrs(vec![
        ("readDir", read_dir_builtin()),
        ("request", s(request)),
        ("root", path("/")),
        ("pathExists", path_exists_builtin()),
    ])
}

fn wasm_plan(request: &[u8]) -> (Vec<u8>, Vec<String>) {
    let out = host().call("plan", plan_arg(request));
    let v = out
        .result
        .unwrap_or_else(|e| panic!("builtins.wasm call failed: {e}"));
    match &*v {
        Val::Str(b) => (b.clone(), out.reads),
        other => panic!("plan returned {}, not a string", type_name(other)),
    }
}

/// Where two answers first differ, with some context, for failure messages
/// (whole plans are far too long to print).
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let show = |x: &[u8]| {
        let from = at.saturating_sub(80);
        let to = (at + 160).min(x.len());
        String::from_utf8_lossy(&x[from..to]).into_owned()
    };
    format!(
        "first difference at byte {at} (lengths {} and {}):\n  native: ...{}\n  wasm:   ...{}",
        a.len(),
        b.len(),
        show(a),
        show(b)
    )
}

/// The check every request goes through: the wasm route answers exactly the
/// native bytes.
fn assert_same_answer(request: &[u8]) -> Vec<u8> {
    assert_same_answer_reads(request).0
}

/// [`assert_same_answer`], also returning the files the module read.
fn assert_same_answer_reads(request: &[u8]) -> (Vec<u8>, Vec<String>) {
    let native = crateplan::plan_json(&RealFs, request);
    let (wasm, reads) = wasm_plan(request);
    assert!(
        wasm == native,
        "nix/crateplan.wasm and the native planner answer differently ({REGENERATE})\n\
         request: {}\n{}",
        String::from_utf8_lossy(request),
        first_difference(&native, &wasm)
    );
    (native, reads)
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("crateplan-wasm-host-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Local `.crate` files the planner may ask for: cargo's download cache.
fn cargo_cache_crates() -> BTreeMap<String, PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let mut out = BTreeMap::new();
    let Some(cache) = home.map(|h| h.join("registry/cache")) else {
        return out;
    };
    for registry in std::fs::read_dir(cache).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(registry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name().to_string_lossy().into_owned();
            if name.ends_with(".crate") {
                out.entry(name).or_insert(file.path());
            }
        }
    }
    out
}

/// Runs `request` (a JSON object) through both routes, and while the native
/// answer asks to fetch crates we have locally (`crates`: file name ->
/// path), adds them as `sources` and asks again, comparing every round.
/// Returns how many `.crate` files the module read through `read_file`.
fn compare_rounds(mut request: serde_json::Value, crates: &BTreeMap<String, PathBuf>) -> usize {
    let mut crate_reads = 0;
    for _round in 0..6 {
        let bytes = serde_json::to_vec(&request).unwrap();
        let (answer, reads) = assert_same_answer_reads(&bytes);
        crate_reads += reads.iter().filter(|r| r.ends_with(".crate")).count();
        let answer: serde_json::Value = serde_json::from_slice(&answer).expect("answers are JSON");
        let Some(fetch) = answer.get("fetch").and_then(|f| f.as_array()) else {
            return crate_reads;
        };
        let sources = request
            .as_object_mut()
            .unwrap()
            .entry("sources")
            .or_insert_with(|| serde_json::json!({}))
            .as_object_mut()
            .unwrap();
        let before = sources.len();
        for f in fetch {
            let (Some(key), Some(name), Some(version)) = (
                f.get("key").and_then(|k| k.as_str()),
                f.get("name").and_then(|k| k.as_str()),
                f.get("version").and_then(|k| k.as_str()),
            ) else {
                continue;
            };
            if let Some(p) = crates.get(&format!("{name}-{version}.crate")) {
                sources.insert(key.to_string(), p.to_string_lossy().into_owned().into());
            }
        }
        if sources.len() == before {
            return crate_reads;
        }
    }
    crate_reads
}

/// A gzipped tarball shaped like a crates.io `.crate` (fixed mtimes, so the
/// bytes and their sha256 are stable).
fn make_crate_file(name: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (file, contents) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("{name}-{version}/{file}"),
            &mut &contents[..],
        )
        .unwrap();
    }
    let tar = tar.into_inner().unwrap();
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}

// ---------------------------------------------------------------- tests

#[test]
fn module_has_the_nix_wasm_shape() {
    let module = &host().module;
    let exports: BTreeMap<String, String> = module
        .exports()
        .map(|e| (e.name().to_string(), format!("{:?}", e.ty())))
        .collect();
    for name in ["memory", "nix_wasm_init_v1", "plan", "probe"] {
        assert!(
            exports.contains_key(name),
            "missing export {name}: {exports:?}"
        );
    }
    let entry = |name: &str| module.get_export(name).unwrap().func().unwrap().clone();
    let init = entry("nix_wasm_init_v1");
    assert_eq!(init.params().count(), 0);
    assert_eq!(init.results().count(), 0);
    for name in ["plan", "probe"] {
        let f = entry(name);
        let params: Vec<ValType> = f.params().collect();
        let results: Vec<ValType> = f.results().collect();
        assert!(
            params.len() == 1 && params[0].is_i32() && results.len() == 1 && results[0].is_i32(),
            "{name} must be (i32) -> i32"
        );
    }
    // Non-WASI: Nix would switch to WASI mode on any wasi_snapshot_preview1 import.
    for import in module.imports() {
        assert_eq!(
            import.module(),
            "env",
            "unexpected import {}.{}",
            import.module(),
            import.name()
        );
    }
}

#[test]
fn malformed_requests_answer_like_native() {
    for request in [
        &b""[..],
        b"{not json",
        b"[]",
        b"{}",
        b"{\"workspace\": 3}",
        b"{\"workspace\": \"/nonexistent\", \"target\": \"x86_64-unknown-linux-gnu\", \"bogus\": 1}",
        b"\xff\xfe not utf-8",
    ] {
        assert_same_answer(request);
    }
}

#[test]
fn missing_workspace_answers_like_native() {
    let dir = scratch_dir("missing");
    let request = serde_json::json!({
        "workspace": dir.join("does-not-exist").to_string_lossy(),
        "target": "x86_64-unknown-linux-gnu",
    });
    assert_same_answer(&serde_json::to_vec(&request).unwrap());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fixture_workspaces_answer_like_native() {
    let fixtures = repo_root().join("tests/fixtures");
    let crates = cargo_cache_crates();
    let mut seen = 0;
    let mut crate_reads = 0;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let ws = dir.canonicalize().unwrap().to_string_lossy().into_owned();
        crate_reads += compare_rounds(
            serde_json::json!({ "workspace": ws, "target": "x86_64-unknown-linux-gnu" }),
            &crates,
        );
        crate_reads += compare_rounds(
            serde_json::json!({
                "workspace": ws,
                "target": "aarch64-apple-darwin",
                "host": "x86_64-unknown-linux-gnu",
                "selection": { "workspace": true, "tests": true, "allFeatures": true },
            }),
            &crates,
        );
        seen += 1;
    }
    eprintln!(
        "compared {seen} fixture workspaces; the module read {crate_reads} .crate files \
         from cargo's cache through read_file"
    );
}

#[test]
fn tiny_workspace_with_a_crate_file_answers_like_native() {
    let dir = scratch_dir("tiny");
    let ws = dir.join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::create_dir_all(ws.join("src/bin")).unwrap();
    let dep = make_crate_file(
        "tiny-dep",
        "0.1.0",
        &[
            (
                "Cargo.toml",
                b"[package]\nname = \"tiny-dep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\ndefault = [\"std\"]\nstd = []\n",
            ),
            ("src/lib.rs", b"pub fn answer() -> u32 { 42 }\n"),
        ],
    );
    let crate_path = dir.join("tiny-dep-0.1.0.crate");
    std::fs::write(&crate_path, &dep).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntiny-dep = \"0.1\"\n",
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "pub use tiny_dep::answer;\n").unwrap();
    std::fs::write(ws.join("src/bin/tool.rs"), "fn main() {}\n").unwrap();
    std::fs::write(
        ws.join("Cargo.lock"),
        format!(
            "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n\
             [[package]]\nname = \"tiny\"\nversion = \"0.1.0\"\ndependencies = [\n \"tiny-dep\",\n]\n\n\
             [[package]]\nname = \"tiny-dep\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
            sha256_hex(&dep)
        ),
    )
    .unwrap();
    let crates = BTreeMap::from([("tiny-dep-0.1.0.crate".to_string(), crate_path)]);
    let ws_str = ws.to_string_lossy().into_owned();
    let crate_reads = compare_rounds(
        serde_json::json!({ "workspace": ws_str, "target": "x86_64-unknown-linux-gnu" }),
        &crates,
    );
    compare_rounds(
        serde_json::json!({ "workspace": ws_str, "target": "x86_64-pc-windows-msvc",
                            "selection": { "noDefaultFeatures": true } }),
        &crates,
    );
    // Passing the .crate up front too (whatever key the planner expects,
    // an unknown key must be handled the same way by both routes).
    compare_rounds(
        serde_json::json!({ "workspace": ws_str, "target": "x86_64-unknown-linux-gnu",
                            "sources": { "tiny-dep 0.1.0": dir.join("tiny-dep-0.1.0.crate").to_string_lossy() } }),
        &crates,
    );
    eprintln!("the module read tiny-dep-0.1.0.crate {crate_reads} times");
    let _ = std::fs::remove_dir_all(dir);
}

/// Calls `probe` as lib.nix would for debugging.
fn probe(op: &str, p: &str) -> Result<BTreeMap<String, V>, String> {
    let arg = attrs(vec![
        ("path", s(p)),
        ("op", s(op)),
        ("root", path("/")),
        ("readDir", read_dir_builtin()),
        ("pathExists", path_exists_builtin()),
    ]);
    let out = host().call("probe", arg);
    let v = out.result?;
    let Val::Attrs(a) = &*v else {
        panic!("probe returned {}", type_name(&v));
    };
    Ok(a.iter().cloned().collect())
}

fn str_of(v: &V) -> String {
    match &**v {
        Val::Str(b) => String::from_utf8(b.clone()).unwrap(),
        other => panic!("expected a string, got {}", type_name(other)),
    }
}

#[test]
fn binary_files_arrive_intact_through_read_file() {
    let dir = scratch_dir("binary");
    // Every byte value (NUL, invalid UTF-8), both below and above the
    // module's first read buffer (64 KiB), and a real gzip .crate.
    let mut big = Vec::new();
    for i in 0..300_000u32 {
        big.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
    }
    let small: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    let exact: Vec<u8> = vec![0u8; 64 * 1024];
    let krate = make_crate_file("bin-dep", "1.2.3", &[("src/lib.rs", &big[..70_000])]);
    let cases = [
        ("big.bin", big),
        ("small.bin", small),
        ("exact.bin", exact),
        ("empty.bin", Vec::new()),
        ("bin-dep-1.2.3.crate", krate),
    ];
    for (name, bytes) in &cases {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let got = probe("read", &p.to_string_lossy()).unwrap();
        assert!(
            matches!(&*got["ok"], Val::Bool(true)),
            "{name}: {:?}",
            got.get("error").map(str_of)
        );
        let Val::Int(size) = &*got["size"] else {
            panic!("size")
        };
        assert_eq!(*size as usize, bytes.len(), "{name}: size");
        assert_eq!(str_of(&got["sha256"]), sha256_hex(bytes), "{name}: sha256");
        // The same bytes the native file system gives.
        assert_eq!(
            RealFs.read(&p.to_string_lossy()).unwrap(),
            *bytes,
            "{name}: native"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn missing_files_and_directories_are_not_found_errors() {
    let dir = scratch_dir("missing-files");
    for op in ["read", "readDir"] {
        let p = dir.join("nope").to_string_lossy().into_owned();
        let got = probe(op, &p).unwrap();
        assert!(matches!(&*got["ok"], Val::Bool(false)));
        let native = match op {
            "read" => RealFs.read(&p).unwrap_err(),
            _ => RealFs.read_dir(&p).unwrap_err(),
        };
        assert_eq!(str_of(&got["error"]), native.to_string());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn directory_listings_match_the_native_file_system() {
    let dir = scratch_dir("listing");
    std::fs::create_dir_all(dir.join("sub/inner")).unwrap();
    std::fs::write(dir.join("file.rs"), "").unwrap();
    std::fs::write(dir.join("Cargo.toml"), "").unwrap();
    std::fs::write(dir.join("sub/x"), "").unwrap();
    std::os::unix::fs::symlink("file.rs", dir.join("link.rs")).unwrap();
    std::os::unix::fs::symlink("sub", dir.join("link-dir")).unwrap();
    std::os::unix::fs::symlink("dangling", dir.join("dangling")).unwrap();
    for d in [dir.clone(), dir.join("sub")] {
        let d = d.to_string_lossy().into_owned();
        let got = probe("readDir", &d).unwrap();
        assert!(matches!(&*got["ok"], Val::Bool(true)));
        let Val::Attrs(entries) = &*got["entries"] else {
            panic!("entries")
        };
        let wasm: BTreeMap<String, String> = entries
            .iter()
            .map(|(n, v)| (n.clone(), str_of(v)))
            .collect();
        let native: BTreeMap<String, String> = RealFs
            .read_dir(&d)
            .unwrap()
            .into_iter()
            .map(|(n, k)| {
                let k = match k {
                    EntryKind::File => "file",
                    EntryKind::Dir => "dir",
                    EntryKind::Other => "other",
                };
                (n, k.to_string())
            })
            .collect();
        assert_eq!(wasm, native, "{d}");
    }
    // Reading through a symlink follows it, as natively.
    let got = probe("read", &dir.join("link.rs").to_string_lossy()).unwrap();
    assert!(matches!(&*got["ok"], Val::Bool(true)));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn other_roots_confine_reads() {
    let dir = scratch_dir("root");
    std::fs::write(dir.join("inside"), "x").unwrap();
    let call = |p: &str| {
        let arg = attrs(vec![
            ("op", s("read")),
            ("path", s(p)),
            ("root", path(&dir.to_string_lossy())),
            ("readDir", read_dir_builtin()),
            ("pathExists", path_exists_builtin()),
        ]);
        let out = host().call("probe", arg);
        let v = out.result.unwrap();
        let Val::Attrs(a) = &*v else { panic!() };
        let a: BTreeMap<String, V> = a.iter().cloned().collect();
        (a, out.reads)
    };
    let (ok, reads) = call(&dir.join("inside").to_string_lossy());
    assert!(matches!(&*ok["ok"], Val::Bool(true)));
    assert_eq!(
        reads,
        vec![dir.join("inside").to_string_lossy().into_owned()]
    );
    let (outside, reads) = call("/etc/hostname");
    assert!(matches!(&*outside["ok"], Val::Bool(false)));
    assert!(str_of(&outside["error"]).contains("outside the root path"));
    assert!(reads.is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_arguments_are_clear_nix_errors() {
    let cases: Vec<(V, &str)> = vec![
        (s("{}"), "the argument is a string"),
        (
            attrs(vec![("request", s("{}"))]),
            "the attribute `root` is missing",
        ),
        (
            attrs(vec![
                ("request", s("{}")),
                ("root", s("/")),
                ("readDir", read_dir_builtin()),
                ("pathExists", path_exists_builtin()),
            ]),
            "`root` is a string, not a path",
        ),
        (
            attrs(vec![
                ("request", s("{}")),
                ("root", path("/")),
                ("readdir", read_dir_builtin()),
                ("pathExists", path_exists_builtin()),
            ]),
            "unknown attribute `readdir`",
        ),
    ];
    for (arg, want) in cases {
        let err = match host().call("plan", arg).result {
            Ok(_) => panic!("expected an error mentioning {want}"),
            Err(e) => e,
        };
        assert!(err.contains("Wasm panic: crateplan.wasm `plan`"), "{err}");
        assert!(err.contains(want), "{err}");
        assert!(err.contains("the argument must be { request"), "{err}");
    }
}

#[test]
fn each_call_is_a_fresh_instance() {
    // Nix instantiates the module for every call; answers must not depend on
    // earlier calls (no state carried in the module).
    let a = wasm_plan(b"{not json").0;
    let b = wasm_plan(b"{\"workspace\":\"/x\"}").0;
    assert_eq!(wasm_plan(b"{not json").0, a);
    assert_eq!(wasm_plan(b"{\"workspace\":\"/x\"}").0, b);
}
