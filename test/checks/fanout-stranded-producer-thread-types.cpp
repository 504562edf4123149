// RUN: %check_clang_tidy -check-suffix=CONFIGURED %s fanout-stranded-producer %t -- \
// RUN:   -config="{CheckOptions: {ThreadTypes: 'acme::Thread'}}" -- -std=c++20 -isystem %S/Inputs
// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// muduo's Thread: start() and join() are defined in another file, so the
// class cannot be read as a thread here; the ThreadTypes option names it.
// Without the option: no fan-out, no warning.

#include "queues.h"

#include <functional>
#include <thread>

bool process(int item);

namespace acme {
class Thread {
public:
  explicit Thread(std::function<void()> fn, const char *name = "");
  ~Thread();
  void start();
  int join();

private:
  std::function<void()> fn_;
};
} // namespace acme

void configured(int n) {
  BoundedQueue<int> q(4);
  acme::Thread consumer([&q] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  consumer.start();
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-NOTES-CONFIGURED: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES-CONFIGURED: :[[@LINE-14]]:21: note: queue 'q' declared here
// CHECK-NOTES-CONFIGURED: :[[@LINE-10]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES-CONFIGURED: :[[@LINE-15]]:16: note: consumer thread spawned here
// CHECK-NOTES-CONFIGURED: :[[@LINE-13]]:23: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-FIXES-CONFIGURED: {{^}}        q.close();{{$}}
// CHECK-FIXES-CONFIGURED-NEXT: {{^}}        return;{{$}}
// CHECK-FIXES-CONFIGURED-NEXT: {{^}}      }{{$}}
// CHECK-FIXES-CONFIGURED: {{^}}    if (!q.push(i)) break;{{$}}
