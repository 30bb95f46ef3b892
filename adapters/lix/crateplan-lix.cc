// crateplan as a Lix plugin: registers `builtins.crateplan`, the primop
// crateplan's lib.nix calls on its plugin route, on top of crateplan's C ABI
// (include/crateplan.h, libcrateplan_capi).
//
// Lix has no Nix C API, so the Rust plugin (adapters/plugin) cannot load into
// it; Lix's plugin interface is its C++ one instead: a shared object listed
// in `plugin-files` whose `nix_plugin_entry` calls `PluginPrimOps::add`. That
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

} // namespace

extern "C" void nix_plugin_entry()
{
    nix::PluginPrimOps::add({
        // The `__` prefix makes it `builtins.crateplan` only, as in Nix.
        .name = "__crateplan",
        .args = {"request"},
        .doc = R"(
          Plan a Cargo workspace for Nix (crateplan). Takes the JSON request
          as a string and returns the answer JSON as a string:
          `{"ok":true,"plan":...}`, `{"ok":true,"fetch":[...]}` or
          `{"ok":false,"error":"..."}`. Use it through crateplan's lib.nix.
        )",
        .fun = primCrateplan,
    });
}
