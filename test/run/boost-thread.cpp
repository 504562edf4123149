// REQUIRES: boost
// RUN: %run_fix_test %s %t -- -- -I%S/../checks/Inputs -lboost_thread
//
// boost::thread consumers in a boost::thread_group: each fails its first
// item and leaves, and the producer sleeps in push() on the full queue
// until the fix closes it on those exits.
#include "queues.h"

#include <boost/thread/thread.hpp>

static bool process(int item) { return item < 0; } // Every item fails.

int main() {
  BoundedQueue<int> ch(2);
  boost::thread_group workers;
  for (int w = 0; w < 3; ++w)
    workers.create_thread([&] {
      int v;
      while (ch.pop(v))
        if (!process(v))
          return;
    });
  for (int i = 0; i < 100; ++i)
    ch.push(i);
  ch.close();
  workers.join_all();
  return 0;
}
// CHECK-FIXES: {{^}}        if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}          ch.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}          return;{{$}}
// CHECK-FIXES: {{^}}    if (!ch.push(i)) break;{{$}}
