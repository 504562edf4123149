// RUN: %run_fix_test %s %t -- -- -I%S/../checks/Inputs
//
// Three bugs in one file, fixed together by one --fix: a producer stranded
// by quitting consumers (a throwing ring), consumers stranded by a quitting
// producer, and a join before the drain.
#include "queues.h"

#include <thread>
#include <vector>

static bool ok(int v) { return v < 10; }

static void strandedProducer() {
  Ring<int, 4> ring;
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i)
      ring.send(i);
    ring.shutdown();
  });
  std::thread consumer([&] {
    while (auto item = ring.receive())
      if (!ok(*item))
        return;
  });
  consumer.join();
  producer.join();
}

static void strandedConsumers() {
  BoundedQueue<int> q(4);
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      if (!ok(i))
        return;
      q.push(i);
    }
    q.close();
  });
  std::vector<std::thread> consumers;
  for (int w = 0; w < 2; ++w)
    consumers.emplace_back([&] {
      int v;
      while (q.pop(v))
        ;
    });
  producer.join();
  for (auto &t : consumers)
    t.join();
}

static void joinBeforeDrain() {
  BoundedQueue<int> results(2);
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&, w] {
      for (int i = 0; i < 10; ++i)
        results.push(w * i);
    });
  for (auto &t : workers)
    t.join();
  results.close();
  int r;
  while (results.pop(r))
    ;
}

int main() {
  strandedProducer();
  strandedConsumers();
  joinBeforeDrain();
  return 0;
}
// CHECK-FIXES: {{^}}    } catch (const ChannelClosed &) {{[{]}}{{$}}
// CHECK-FIXES: {{^}}  ring.shutdown();{{$}}
// CHECK-FIXES: {{^}}    struct CloseOnExit { decltype(q) &queue; ~CloseOnExit() { queue.close(); } } closeOnExit{q};{{$}}
// CHECK-FIXES: {{^}}  std::thread joiner([&] {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    for (auto &t : workers){{$}}
// CHECK-FIXES-NEXT: {{^}}      t.join();{{$}}
// CHECK-FIXES-NEXT: {{^}}    results.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  });{{$}}
