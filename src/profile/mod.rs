//! Cargo's profiles: the built-in `dev`, `release`, `test` and `bench`,
//! `[profile.*]` from the root manifest and from `.cargo/config.toml`,
//! resolved per unit exactly as cargo resolves them.
//!
//! - [`layer`]: one profile table as written, parsed and checked.
//! - [`resolve`]: the set of profiles of a workspace and the rules that give
//!   one unit its [`Profile`].
//!
//! A [`Profile`] prints itself two ways: as cargo's `profile` object in
//! `--unit-graph` ([`Profile::unit_graph_json`]) and as the plan's profile
//! object ([`Profile::to_plan`]).

pub mod layer;
pub mod resolve;

pub use layer::{DebugInfo, Lto, Panic};
pub use resolve::{PackageInfo, Profiles};

use crate::plan;
use serde_json::{json, Value};

/// The root a profile inherits from; build scripts see it as `PROFILE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProfileRoot {
    Debug,
    Release,
}

/// `strip`: nothing, or a name (`debuginfo`, `symbols`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strip {
    None,
    Named(String),
}

/// Whether a setting was written by the user or is cargo's default that
/// cargo may still change once it knows the unit's neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Settled {
    Resolved,
    Deferred,
}

/// The profile of one unit, with every field cargo reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Profile {
    pub name: String,
    pub root: ProfileRoot,
    pub opt_level: String,
    pub lto: Lto,
    pub codegen_units: Option<u32>,
    pub debuginfo: DebugInfo,
    /// Deferred for host units: cargo may lower it when nothing shares them.
    pub debuginfo_settled: Settled,
    pub split_debuginfo: Option<String>,
    pub debug_assertions: bool,
    pub overflow_checks: bool,
    pub rpath: bool,
    pub incremental: bool,
    pub panic: Panic,
    pub strip: Strip,
    /// Deferred when no profile set `strip`: cargo strips debuginfo when a
    /// unit and its dependencies have none.
    pub strip_settled: Settled,
}

impl Profile {
    /// Every field with no setting written (cargo's `Profile::default`).
    pub fn base(name: &str, root: ProfileRoot) -> Profile {
        Profile {
            name: name.to_string(),
            root,
            opt_level: "0".into(),
            lto: Lto::Bool(false),
            codegen_units: None,
            debuginfo: DebugInfo::None,
            debuginfo_settled: Settled::Resolved,
            split_debuginfo: None,
            debug_assertions: false,
            overflow_checks: false,
            rpath: false,
            incremental: false,
            panic: Panic::Unwind,
            strip: Strip::None,
            strip_settled: Settled::Deferred,
        }
    }

    /// Built-in `dev`.
    pub fn default_dev() -> Profile {
        Profile {
            debuginfo: DebugInfo::Full,
            debug_assertions: true,
            overflow_checks: true,
            incremental: true,
            ..Profile::base("dev", ProfileRoot::Debug)
        }
    }

    /// Built-in `release`.
    pub fn default_release() -> Profile {
        Profile {
            opt_level: "3".into(),
            ..Profile::base("release", ProfileRoot::Release)
        }
    }

    /// What identifies the profile in a unit's identity: cargo compares
    /// values, not whether they were deferred.
    pub fn comparable(&self) -> Profile {
        Profile {
            debuginfo_settled: Settled::Resolved,
            strip_settled: Settled::Resolved,
            ..self.clone()
        }
    }

    pub fn debuginfo_on(&self) -> bool {
        self.debuginfo != DebugInfo::None
    }

    /// Cargo's last step on a unit (done once its dependencies are known):
    /// a deferred `strip` becomes `debuginfo` when neither the unit nor any
    /// of its direct dependencies has debuginfo.
    pub fn settle_strip(&mut self, deps_have_debuginfo: bool) {
        if self.strip_settled == Settled::Deferred && !self.debuginfo_on() && !deps_have_debuginfo {
            self.strip = Strip::Named("debuginfo".into());
            self.strip_settled = Settled::Resolved;
        }
    }

    /// `PROFILE` as build scripts see it.
    pub fn build_script_profile_env(&self) -> &'static str {
        match self.root {
            ProfileRoot::Release => "release",
            ProfileRoot::Debug => "debug",
        }
    }

    /// Cargo's `profile` object in `--unit-graph`, spelled as cargo spells it.
    pub fn unit_graph_json(&self) -> Value {
        let debuginfo = match self.debuginfo {
            DebugInfo::None => json!(0),
            DebugInfo::Limited => json!(1),
            DebugInfo::Full => json!(2),
            other => json!(other.as_rustc()),
        };
        let lto = match &self.lto {
            Lto::Bool(b) => b.to_string(),
            Lto::Off => "off".to_string(),
            Lto::Named(n) => n.clone(),
        };
        let inner = match &self.strip {
            Strip::None => json!("None"),
            Strip::Named(n) => json!({ "Named": n }),
        };
        let strip = match self.strip_settled {
            Settled::Resolved => json!({ "resolved": inner }),
            Settled::Deferred => json!({ "deferred": inner }),
        };
        json!({
            "name": self.name,
            "opt_level": self.opt_level,
            "lto": lto,
            "codegen_backend": null,
            "codegen_units": self.codegen_units,
            "debuginfo": debuginfo,
            "split_debuginfo": self.split_debuginfo,
            "debug_assertions": self.debug_assertions,
            "overflow_checks": self.overflow_checks,
            "rpath": self.rpath,
            "incremental": self.incremental,
            "panic": match self.panic { Panic::Unwind => "unwind", Panic::Abort => "abort" },
            "strip": strip,
        })
    }

    /// The plan's profile object (docs/plan-format.md): values as rustc takes them.
    pub fn to_plan(&self) -> plan::Profile {
        plan::Profile {
            name: self.name.clone(),
            root: match self.root {
                ProfileRoot::Release => plan::ProfileRoot::Release,
                ProfileRoot::Debug => plan::ProfileRoot::Debug,
            },
            opt_level: self.opt_level.clone(),
            debuginfo: self.debuginfo.as_rustc().to_string(),
            split_debuginfo: self.split_debuginfo.clone(),
            strip: match &self.strip {
                Strip::None => "none".to_string(),
                Strip::Named(n) => n.clone(),
            },
            debug_assertions: self.debug_assertions,
            overflow_checks: self.overflow_checks,
            lto: match &self.lto {
                Lto::Bool(false) => "false",
                Lto::Bool(true) => "fat",
                Lto::Off => "off",
                Lto::Named(n) if n == "thin" => "thin",
                // `fat` and rustc's other spellings of it (`y`, `yes`, `on`).
                Lto::Named(_) => "fat",
            }
            .to_string(),
            panic: match self.panic {
                Panic::Unwind => "unwind",
                Panic::Abort => "abort",
            }
            .to_string(),
            codegen_units: self.codegen_units,
            rpath: self.rpath,
            incremental: self.incremental,
        }
    }
}

/// Why a unit is built, as far as profiles care (cargo's `UnitFor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitFor {
    /// A build script, a proc-macro used by another crate, or anything they
    /// depend on: `build-override` applies, opt-level 0 by default.
    pub host: bool,
    /// Tests, build scripts, proc-macros and their dependencies always unwind.
    pub panic: PanicSetting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PanicSetting {
    ReadProfile,
    AlwaysUnwind,
}

impl UnitFor {
    /// A lib or bin of the build.
    pub const NORMAL: UnitFor = UnitFor {
        host: false,
        panic: PanicSetting::ReadProfile,
    };
    /// A root unit of a `cargo test` run, and what it depends on.
    pub const TEST: UnitFor = UnitFor {
        host: false,
        panic: PanicSetting::AlwaysUnwind,
    };
    /// A proc-macro selected as a root of `cargo build` (cargo's "compiler" unit).
    pub const ROOT_PROC_MACRO: UnitFor = UnitFor {
        host: false,
        panic: PanicSetting::AlwaysUnwind,
    };
    /// Build scripts and everything built for them or for proc-macros.
    pub const HOST: UnitFor = UnitFor {
        host: true,
        panic: PanicSetting::AlwaysUnwind,
    };

    /// The `UnitFor` of a dependency: being for the host is sticky, and a
    /// proc-macro or build script turns it on.
    pub fn with_dependency(self, dep_is_for_host: bool) -> UnitFor {
        UnitFor {
            host: self.host || dep_is_for_host,
            panic: if dep_is_for_host {
                PanicSetting::AlwaysUnwind
            } else {
                self.panic
            },
        }
    }

    /// Compiling and running a build script.
    pub fn for_custom_build(self) -> UnitFor {
        UnitFor::HOST
    }
}
