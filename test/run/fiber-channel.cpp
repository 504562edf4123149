// REQUIRES: boost-fiber
// RUN: %run_fix_test %s %t -- -- -lboost_fiber -lboost_context
//
// Boost.Fiber's buffered_channel: the woken push returns
// channel_op_status::closed, which the fixed producer tests.
#include <boost/fiber/buffered_channel.hpp>
#include <thread>

static bool process(int item) { return item < 0; }

int main() {
  boost::fibers::buffered_channel<int> ch(8);
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i)
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
  return 0;
}
// CHECK-FIXES: {{^}}      if (ch.push(i) == boost::fibers::channel_op_status::closed) break;{{$}}
// CHECK-FIXES: {{^}}  ch.close();{{$}}
