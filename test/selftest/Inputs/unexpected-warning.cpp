int *returnsZero() {
  return 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: use nullptr [modernize-use-nullptr]
}
// The second warning has no CHECK-MESSAGES line.
int *alsoZero() { return 0; }
