//===- SanitizerOptions.cpp - Defaults for instrumented programs ----------===//
//
// Linked into the executables that FANOUT_SANITIZE=ON instruments: every UBSan
// report is fatal, and a report aborts so that ctest sees a crash. The
// environment (ASAN_OPTIONS, UBSAN_OPTIONS) still overrides these.
//
// - Test programs (unit tests, the fuzzer) keep leak checking on: they free
//   what they allocate.
// - Hosts (fanout-clangd, fanout-audit; compiled with FANOUT_SANITIZER_HOST)
//   link clang and clangd libraries that are not instrumented. They free
//   nothing at exit, by design, so leak checking is off; and user poisoning is
//   off: LLVM's headers poison and unpoison BumpPtrAllocator slabs only when
//   compiled with ASan, so when the linker picks the instrumented copy of one
//   inline allocator function and the uninstrumented copy of another (an ODR
//   mix of our objects and libclangdMain.a), memory the uninstrumented copy
//   handed out stays poisoned and ASan reports a use-after-poison in clangd's
//   own code (TUScheduler::HeaderIncluderCache).
//
//===----------------------------------------------------------------------===//

extern "C" {
__attribute__((used, visibility("default"))) const char *
__asan_default_options() {
#ifdef FANOUT_SANITIZER_HOST
  return "abort_on_error=1:detect_leaks=0:allow_user_poisoning=0";
#else
  return "abort_on_error=1";
#endif
}
__attribute__((used, visibility("default"))) const char *
__ubsan_default_options() {
  return "print_stacktrace=1:halt_on_error=1:abort_on_error=1";
}
}
