// RUN: %run_fix_test %s %t -- -- -I%S/../checks/Inputs
//
// The same stranded producer behind each standard spawner, fixed together:
// std::async consumers whose futures are waited on, a std::jthread pool that
// leaves scope, and a pthread consumer. Every consumer fails its first item
// and leaves; the producer then sleeps in push() on a full queue.
#include "queues.h"

#include <future>
#include <pthread.h>
#include <thread>
#include <vector>

static bool process(int item) { return item < 0; } // Every item fails.

static void asyncConsumers() {
  BoundedQueue<int> q(2);
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i)
      q.push(i);
    q.close();
  });
  std::vector<std::future<void>> consumers;
  for (int w = 0; w < 2; ++w)
    consumers.push_back(std::async(std::launch::async, [&] {
      int v;
      while (q.pop(v))
        if (!process(v))
          return;
    }));
  for (auto &f : consumers)
    f.get();
  producer.join();
}

static void jthreadPool() {
  BoundedQueue<int> q(2);
  std::jthread producer([&] {
    for (int i = 0; i < 100; ++i)
      q.push(i);
    q.close();
  });
  std::vector<std::jthread> pool;
  for (int w = 0; w < 2; ++w)
    pool.emplace_back([&] {
      int v;
      while (q.pop(v))
        if (!process(v))
          break;
    });
}

static void *consume(void *arg) {
  auto *q = static_cast<BoundedQueue<int> *>(arg);
  int v;
  while (q->pop(v))
    if (!process(v))
      return nullptr;
  return nullptr;
}

static void pthreadConsumer() {
  BoundedQueue<int> q(2);
  pthread_t consumer;
  pthread_create(&consumer, nullptr, consume, &q);
  for (int i = 0; i < 100; ++i)
    q.push(i);
  q.close();
  pthread_join(consumer, nullptr);
}

int main() {
  asyncConsumers();
  jthreadPool();
  pthreadConsumer();
  return 0;
}
// The async consumers are all waited on before the producer: one close
// there. The jthread pool and the pthread consumer close on their exits.
// CHECK-FIXES: {{^}}    f.get();{{$}}
// CHECK-FIXES-NEXT: {{^}}  q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}
// CHECK-FIXES: {{^}}        if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}          q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}          break;{{$}}
// CHECK-FIXES: {{^}}    if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      q->close();{{$}}
// CHECK-FIXES-NEXT: {{^}}      return nullptr;{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
