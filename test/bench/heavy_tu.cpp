// The translation unit test/bench/check_cost.sh measures: heavy headers, few
// functions of the user, three fan-outs.
#include <boost/thread/concurrent_queues/sync_bounded_queue.hpp>
#include <boost/thread.hpp>
#include <tbb/concurrent_queue.h>
#include <tbb/task_group.h>
#include <future>
#include <thread>
#include <vector>
#include "bounded_queue.h"
bool process(int);
void a(int n) {
  boost::concurrent::sync_bounded_queue<int> q(4);
  std::thread producer([&] { for (int i = 0; i < n; ++i) q.push(i); q.close(); });
  std::vector<std::thread> ws;
  for (int w = 0; w < 4; ++w) ws.emplace_back([&] { for (;;) { int v = q.pull(); if (!process(v)) return; } });
  for (auto &t : ws) t.join();
  producer.join();
}
void b(int n) {
  tbb::concurrent_bounded_queue<int> q; q.set_capacity(4);
  std::thread c([&] { int v; while (true) { q.pop(v); if (v < 0) break; if (!process(v)) return; } });
  for (int i = 0; i < n; ++i) q.push(i);
  c.join();
}
void c(int n) {
  BoundedQueue<int> q(4);
  std::thread c([&] { int v; while (q.pop(v)) if (!process(v)) return; });
  for (int i = 0; i < n; ++i) q.push(i);
  q.close(); c.join();
}
