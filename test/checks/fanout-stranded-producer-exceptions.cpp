// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// An exception that leaves a consumer through a call it makes ends that
// consumer as surely as a return. It strands the producer where the
// exception ends only the task: std::async keeps it in the future, a task
// group rethrows it at wait(). With std::thread it ends the process instead
// (std::terminate), which is not a hang.
#include "queues.h"

#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

int parse(int raw) {
  if (raw < 0)
    throw std::invalid_argument("negative");
  return raw * 2;
}
int parseTwice(int raw) { return parse(parse(raw)); }
void store(int value);

void asyncConsumers(int n) {
  BoundedQueue<int> q(4);
  std::vector<std::future<void>> consumers;
  for (int w = 0; w < 2; ++w)
    consumers.push_back(std::async(std::launch::async, [&] {
      int raw;
      while (q.pop(raw))
        store(parseTwice(raw));
    }));
  for (int i = 0; i < n; ++i)
    q.push(i - 3);
  q.close();
  for (auto &f : consumers)
    f.get();
}
// CHECK-MESSAGES: :[[@LINE-5]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-MESSAGES: :[[@LINE-9]]:15: note: an exception from 'parseTwice' ends the consumer here without closing 'q'
// CHECK-FIXES: {{^}}    consumers.push_back(std::async(std::launch::async, [&] {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      struct CloseOnExit { decltype(q) &queue; ~CloseOnExit() { queue.close(); } } closeOnExit{q};{{$}}
// CHECK-FIXES-NEXT: {{^}}      int raw;{{$}}

// Negative: a std::thread consumer; the exception terminates the program.
void threadConsumer(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    int raw;
    while (q.pop(raw))
      store(parse(raw));
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}

int parseOrZero(int raw) noexcept;
int parseCaught(int raw) {
  try {
    return parse(raw);
  } catch (const std::exception &) {
    return 0;
  }
}

// Negative: the callees cannot throw out (noexcept, or they catch).
void calleesDoNotThrow(int n) {
  BoundedQueue<int> q(4);
  auto consumer = std::async(std::launch::async, [&] {
    int raw;
    while (q.pop(raw)) {
      store(parseOrZero(raw));
      store(parseCaught(raw));
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.get();
}

// Negative: the consumer catches around the call.
void consumerCatches(int n) {
  BoundedQueue<int> q(4);
  auto consumer = std::async(std::launch::async, [&] {
    int raw;
    while (q.pop(raw)) {
      try {
        store(parse(raw));
      } catch (...) {
      }
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.get();
}

// Negative: a guard closes the queue while the exception unwinds.
void guardCloses(int n) {
  BoundedQueue<int> q(4);
  auto consumer = std::async(std::launch::async, [&] {
    struct Closer {
      BoundedQueue<int> &q;
      ~Closer() { q.close(); }
    } closer{q};
    int raw;
    while (q.pop(raw))
      store(parse(raw));
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.get();
}
