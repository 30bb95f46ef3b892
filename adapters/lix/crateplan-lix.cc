// crateplan as a Lix plugin: registers `builtins.crateplan`, the primop
// crateplan's lib.nix calls on its plugin route, on top of crateplan's C ABI
// (include/crateplan.h, libcrateplan_capi).
//
// Lix has no Nix C API, so the Rust plugin (adapters/plugin) cannot load into
// it; Lix's plugin interface is its C++ one instead: a shared object listed
// in `plugin-files` whose `nix_plugin_entry` adds a primop. That
// interface is unstable across Lix versions, so this file is compiled against
// the headers of the Lix that loads it (nix/overlay.nix: crateplan-plugin-lix)
// and links no Lix library itself: the host process provides them.
//
// The contract is the Rust plugin's, byte for byte: the request as a JSON
// string in, the answer JSON as a string out (`{"ok":true,"plan":...}`,
// `{"ok":true,"fetch":[...]}` or `{"ok":false,"error":"..."}`), read from
// the real file system. See docs/routes.md.

#include "lix/libexpr/eval.hh"
#include "lix/libexpr/primops.hh"

#include <crateplan.h>

#include <memory>
#include <string_view>

namespace {

using nix::EvalState;
using nix::Value;

struct AnswerFree
{
    void operator()(crateplan_answer * answer) const
    {
        crateplan_free(answer);
    }
};

// Unlike the Rust plugin, this one may force its argument: Lix hands a
// primop a usable EvalState, so a literal `builtins.crateplan { }` gets
// Lix's own type error. The request's string context (the store paths it
// names) is not needed: the planner reads those paths, which lib.nix has
// already brought into the store.
void primCrateplan(EvalState & state, Value ** args, Value & v)
{
    nix::NixStringContext context;
    std::string_view request = state.forceString(
        *args[0], context, nix::noPos, "while evaluating the request passed to builtins.crateplan"
    );
    // Never NULL and never throws; NULL fs reads the real file system.
    std::unique_ptr<crateplan_answer, AnswerFree> answer(
        crateplan_plan_json(request.data(), request.size(), nullptr)
    );
    v = {nix::NewValueAs::string, std::string_view(answer->json, answer->len)};
}

constexpr const char * primopDoc = R"(
  Plan a Cargo workspace for Nix (crateplan). Takes the JSON request as a
  string and returns the answer JSON as a string: `{"ok":true,"plan":...}`,
  `{"ok":true,"fetch":[...]}` or `{"ok":false,"error":"..."}`. Use it
  through crateplan's lib.nix.
)";

// How a plugin adds a primop changed in Lix 2.95: `PluginPrimOps::add` there,
// a `RegisterPrimOp` object before (2.93 and 2.94; its argument's type was
// renamed from PrimOp to PrimOpDetails in 2.94, with the same fields). Each
// Lix's headers declare only one of the two, so both are named here (a
// redeclaration where the header has one, an incomplete type where not)
// and the complete one is used.
template<typename T>
concept Complete = requires { sizeof(T); };

template<typename PluginPrimOps, typename RegisterPrimOp>
void addPrimop()
{
    // The `__` prefix makes it `builtins.crateplan` only, as in Nix.
    if constexpr (Complete<PluginPrimOps>) {
        PluginPrimOps::add(
            {.name = "__crateplan", .args = {"request"}, .doc = primopDoc, .fun = primCrateplan}
        );
    } else {
        static_assert(Complete<RegisterPrimOp>, "this Lix has neither PluginPrimOps nor RegisterPrimOp");
        // Lix keeps a pointer to the list it appends to, not to this object.
        static RegisterPrimOp registration(
            {.name = "__crateplan", .args = {"request"}, .doc = primopDoc, .fun = primCrateplan}
        );
    }
}

} // namespace

namespace nix {
class PluginPrimOps;
struct RegisterPrimOp;
}

extern "C" void nix_plugin_entry()
{
    addPrimop<nix::PluginPrimOps, nix::RegisterPrimOp>();
}
