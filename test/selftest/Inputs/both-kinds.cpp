int *returnsZero() { return 0; }
// CHECK-MESSAGES: :[[@LINE-1]]:29: warning: use nullptr
// CHECK-NOTES: :[[@LINE-2]]:29: warning: use nullptr
