// A `builtins.wasm` host in Rust (wasmtime): the "env" imports and Nix
// values, shared by tests/wasm_host.rs and examples/route_bench.rs through
// include!, so both use the names each file imports (wasmtime, crateplan::fs).

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
    let p = match &*force(v)? {
        Val::Path(p) => p.clone(),
        Val::Str(b) if b.starts_with(b"/") => String::from_utf8_lossy(b).into_owned(),
        other => return Err(format!("cannot coerce {} to a path", type_name(other))),
    };
    Ok(match (STORE_ON_DISK.get(), p.strip_prefix("/nix/store")) {
        (Some(dir), Some(rest)) if rest.is_empty() || rest.starts_with('/') => format!("{dir}{rest}"),
        _ => p,
    })
}

/// Where this host finds `/nix/store` on disk, when it is not there (the
/// route benchmark reads the Nix test environment's store from outside its
/// chroot). The guest still sees `/nix/store` paths, as in a real Nix.
static STORE_ON_DISK: OnceLock<String> = OnceLock::new();

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
        // CRATEPLAN_WASM_MODULE: another build of the module (e.g. one that
        // keeps its name section, for profiles).
        let path = std::env::var_os("CRATEPLAN_WASM_MODULE")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join("nix/crateplan.wasm"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read the committed module {}: {e}; build it with scripts/build-wasm",
                path.display()
            )
        });
        let mut config = wasmtime::Config::new();
        if std::env::var_os("CRATEPLAN_WASM_PERFMAP").is_some() {
            // For `perf record`: JIT code named in /tmp/perf-PID.map.
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config).expect("a wasmtime engine");
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

