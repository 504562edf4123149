// REQUIRES: boost-fiber
// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20

// Boost.Fiber channels: push returns channel_op_status::closed once the
// channel is closed, so the fix closes and tests the status.
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <thread>

bool process(int item);

void buffered(int n) {
  boost::fibers::buffered_channel<int> ch(8);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      ch.push(i);
    ch.close();
  });
  std::thread consumer([&] {
    int v;
    while (ch.pop(v) == boost::fibers::channel_op_status::success)
      if (!process(v))
        return;
  });
  consumer.join();
  producer.join();
}
// CHECK-NOTES: :[[@LINE-12]]:10: warning: producer can block forever in 'push' on bounded queue 'ch' (boost::fibers::buffered_channel<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-16]]:40: note: queue 'ch' declared here
// CHECK-NOTES: :[[@LINE-7]]:9: note: consumer returns here without closing 'ch'
// CHECK-NOTES: :[[@LINE-12]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-18]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-8]]:3: note: fix: close 'ch' once the consumers are joined, so that a producer blocked in 'push' wakes up
// CHECK-NOTES: :[[@LINE-13]]:23: note: alternatively, close 'ch' on each consumer exit
// CHECK-FIXES: {{^}}      if (ch.push(i) == boost::fibers::channel_op_status::closed) break;{{$}}
// CHECK-FIXES: {{^}}  ch.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}

// Negative: the consumer closes on its error path.
void closes(int n) {
  boost::fibers::unbuffered_channel<int> ch;
  std::thread consumer([&] {
    int v;
    while (ch.pop(v) != boost::fibers::channel_op_status::closed)
      if (!process(v)) {
        ch.close();
        return;
      }
  });
  for (int i = 0; i < n; ++i)
    if (ch.push(i) == boost::fibers::channel_op_status::closed)
      break;
  ch.close();
  consumer.join();
}
