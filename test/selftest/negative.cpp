// No CHECK lines: a negative test, which passes only if clang-tidy reports
// nothing.
// RUN: %check_clang_tidy_noplugin %s modernize-use-nullptr %t

int *returnsNull() { return nullptr; }
