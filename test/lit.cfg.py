# -*- Python -*-
# lit configuration of fanout-tidy's tests. Loaded through the
# lit.site.cfg.py that CMake writes into <build>/test, which sets the paths.
#
# Every tool can be overridden with --param, e.g. to try a plugin built
# elsewhere:  lit --param fanout_plugin=/path/fanout-tidy.so <build>/test

import os
import shlex

import lit.formats

config.name = "fanout-tidy"
# The internal shell: portable, and it implements `not` and pipes itself.
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cpp", ".test"]
# Inputs/ hold headers and sources used by tests, not tests. unit/ (gtest)
# and bench/ are run by ctest; fuzz/ and support/ hold programs, not tests;
# accuracy/ is the benchmark (score.py, run by ctest).
config.excludes = ["Inputs", "unit", "bench", "fuzz", "support", "accuracy",
                   "CMakeLists.txt"]

config.test_source_root = os.path.dirname(__file__)
if getattr(config, "fanout_obj_root", None):
    config.test_exec_root = os.path.join(config.fanout_obj_root, "test")


def setting(name, default=None):
    """A --param wins over the value configured by CMake."""
    value = lit_config.params.get(name)
    if value is None:
        value = getattr(config, name, None) or default
    if value is None:
        lit_config.fatal("'%s' is not configured; run lit on <build>/test, "
                         "or pass --param %s=..." % (name, name))
    return value


python = setting("python_executable", "python3")
plugin = setting("fanout_plugin")
clang_tidy = setting("clang_tidy")
filecheck = setting("filecheck")
clangxx = setting("clangxx")
llvm_major = setting("llvm_version_major")
src_root = setting("fanout_src_root",
                   os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
timeout = setting("fanout_timeout", "120")

# A plugin built with FANOUT_SANITIZE=ON needs the ASan/UBSan runtimes in the
# process before anything else, and the stock clang-tidy has none: every
# clang-tidy the tests start goes through a wrapper that preloads them
# (--param sanitizer_preload=lib1:lib2 or "" overrides CMake's value). Only
# clang-tidy gets them, not python, clang++ or the programs run tests build.
# Leak checking is off (clang-tidy frees nothing at exit, by design); any
# report aborts the process, so it fails the test as a crash.
sanitizer_preload = lit_config.params.get(
    "sanitizer_preload", getattr(config, "sanitizer_preload", ""))
if sanitizer_preload:
    wrapper_dir = getattr(config, "test_exec_root", None) or os.getcwd()
    os.makedirs(wrapper_dir, exist_ok=True)
    wrapper = os.path.join(wrapper_dir, "clang-tidy-sanitized")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\n"
                "# Written by lit.cfg.py: %s with the sanitizer runtimes.\n"
                "LD_PRELOAD=%s${LD_PRELOAD:+:$LD_PRELOAD} \\\n"
                "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:${ASAN_OPTIONS:-} \\\n"
                "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1:${UBSAN_OPTIONS:-} \\\n"
                "exec %s \"$@\"\n" % (clang_tidy, shlex.quote(sanitizer_preload),
                                       shlex.quote(clang_tidy)))
    os.chmod(wrapper, 0o755)
    clang_tidy = wrapper
    config.available_features.add("sanitizers")

if not os.path.exists(plugin):
    lit_config.warning("plugin %s does not exist yet (build the FanoutTidy "
                       "target); tests that load it will fail" % plugin)

# FileCheck, not, count from the LLVM the plugin is built for.
tools_dir = getattr(config, "llvm_tools_dir", None)
if tools_dir:
    config.environment["PATH"] = os.pathsep.join(
        [tools_dir, config.environment.get("PATH", os.environ["PATH"])])

test_dir = os.path.join(src_root, "test")
q = shlex.quote
runner_tools = "--clang-tidy=%s --filecheck=%s --timeout=%s" % (
    q(clang_tidy), q(filecheck), timeout)
check_clang_tidy = "%s %s %s" % (
    q(python), q(os.path.join(test_dir, "check_clang_tidy.py")), runner_tools)
run_fix_test = "%s %s --clang-tidy=%s --clangxx=%s --filecheck=%s" % (
    q(python), q(os.path.join(test_dir, "run_fix_test.py")), q(clang_tidy),
    q(clangxx), q(filecheck))

# lit applies these in order: a name that another one starts with must come
# first (%check_clang_tidy_noplugin before %check_clang_tidy, and
# %clang_tidy_plugin before %clang_tidy).
config.substitutions += [
    # The runner without the plugin: stock checks only (its self-tests).
    ("%check_clang_tidy_noplugin", check_clang_tidy),
    ("%check_clang_tidy", "%s --load=%s" % (check_clang_tidy, q(plugin))),
    ("%run_fix_test_noplugin", run_fix_test),
    ("%run_fix_test", "%s --load=%s" % (run_fix_test, q(plugin))),
    ("%truncate_inputs", "%s %s" % (
        q(python), q(os.path.join(test_dir, "truncate_inputs.py")))),
    # Stock clang-tidy-N with the plugin loaded.
    ("%clang_tidy_plugin", "%s --load=%s" % (q(clang_tidy), q(plugin))),
    # Stock clang-tidy-N alone.
    ("%clang_tidy", q(clang_tidy)),
    # The plugin's path.
    ("%{fanout_plugin}", q(plugin)),
    ("%clangxx", q(clangxx)),
    ("%filecheck", q(filecheck)),
    ("%python", q(python)),
    ("%{examples}", q(os.path.join(src_root, "examples"))),
]

config.available_features.add("llvm-" + llvm_major)
# Library queues: tests of their models need the real headers (Debian
# packages in .ci/packages.txt).
for feature, header in [
        ("boost", "boost/thread/concurrent_queues/sync_bounded_queue.hpp"),
        ("boost-fiber", "boost/fiber/buffered_channel.hpp"),
        ("tbb", "tbb/concurrent_queue.h"),
        ("readerwriterqueue", "readerwriterqueue/readerwritercircularbuffer.h")]:
    if any(os.path.exists(os.path.join(d, header))
           for d in ["/usr/include", "/usr/local/include"]):
        config.available_features.add(feature)
