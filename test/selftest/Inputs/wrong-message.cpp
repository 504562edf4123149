int *returnsZero() {
  return 0;
  // The column is wrong on purpose.
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: use nullptr [modernize-use-nullptr]
}
