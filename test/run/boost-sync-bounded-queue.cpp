// REQUIRES: boost
// RUN: %run_fix_test %s %t -- -- -lboost_thread
//
// The real boost::concurrent::sync_bounded_queue: the woken push throws
// sync_queue_is_closed, so the fix both closes and catches.
#include <boost/thread/concurrent_queues/sync_bounded_queue.hpp>
#include <thread>
#include <vector>

static bool process(int item) { return item < 0; } // Every item fails.

int main() {
  boost::concurrent::sync_bounded_queue<int> q(4);
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i)
      q.push(i);
    q.close();
  });
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&] {
      for (;;) {
        int item;
        if (q.wait_pull_front(item) ==
            boost::concurrent::queue_op_status::closed)
          break;
        if (!process(item))
          return;
      }
    });
  for (auto &t : workers)
    t.join();
  producer.join();
  return 0;
}
// CHECK-FIXES: {{^}}    try {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      for (int i = 0; i < 1000; ++i){{$}}
// CHECK-FIXES-NEXT: {{^}}        q.push(i);{{$}}
// CHECK-FIXES-NEXT: {{^}}    } catch (const boost::sync_queue_is_closed &) {{[{]}}{{$}}
// CHECK-FIXES: {{^}}    t.join();{{$}}
// CHECK-FIXES-NEXT: {{^}}  q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}
