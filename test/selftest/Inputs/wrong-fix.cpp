int *returnsZero() {
  return 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: use nullptr [modernize-use-nullptr]
  // CHECK-FIXES: {{^}}  return NULL;{{$}}
}
