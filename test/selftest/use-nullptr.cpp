// The runner, proven on a stock check (no plugin): messages and fixes, and
// -config reaching the check: MY_NULL is only reported once it is named.
// RUN: %check_clang_tidy_noplugin %s modernize-use-nullptr %t
// RUN: %check_clang_tidy_noplugin -check-suffixes=,MACRO %s modernize-use-nullptr %t -- \
// RUN:   -config="{CheckOptions: {modernize-use-nullptr.NullMacros: 'MY_NULL'}}"

#define MY_NULL 0

int *returnsZero() {
  return 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: use nullptr [modernize-use-nullptr]
  // CHECK-FIXES: {{^}}  return nullptr;{{$}}
}

void assignsNull(int *&p) {
  p = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: use nullptr
  // CHECK-FIXES: {{^}}  p = nullptr;{{$}}
}

int *returnsMacro() {
  return MY_NULL;
  // CHECK-MESSAGES-MACRO: :[[@LINE-1]]:10: warning: use nullptr
  // CHECK-FIXES-MACRO: {{^}}  return nullptr;{{$}}
}

// Already fine: neither a message nor a change.
int *alreadyNullptr() { return nullptr; }
// CHECK-FIXES: int *alreadyNullptr() { return nullptr; }
