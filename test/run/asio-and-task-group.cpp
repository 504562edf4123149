// REQUIRES: boost, tbb
// RUN: %run_fix_test %s %t -- -- -I%S/../checks/Inputs -ltbb
//
// Consumers run by a boost::asio::thread_pool and by a tbb::task_group:
// each fails its first item and leaves, and the producer sleeps in push()
// until the fix closes the queue on those exits.
#include "queues.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <oneapi/tbb/task_group.h>
#include <thread>

static bool process(int item) { return item < 0; } // Every item fails.

static void asioPool() {
  BoundedQueue<int> q(2);
  boost::asio::thread_pool pool(2);
  for (int w = 0; w < 2; ++w)
    boost::asio::post(pool, [&] {
      int v;
      while (q.pop(v))
        if (!process(v))
          return;
    });
  for (int i = 0; i < 100; ++i)
    q.push(i);
  q.close();
  pool.join();
}

static void taskGroup() {
  BoundedQueue<int> q(2);
  tbb::task_group group;
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i)
      q.push(i);
    q.close();
  });
  group.run([&] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  group.wait();
  producer.join();
}

int main() {
  asioPool();
  taskGroup();
  return 0;
}
// CHECK-FIXES: {{^}}        if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}          q.close();{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}      if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}  group.wait();{{$}}
// CHECK-FIXES-NEXT: {{^}}  q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}
