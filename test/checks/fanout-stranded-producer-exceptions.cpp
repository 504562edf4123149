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

// What a handler catches is its type: the handler of the ring's closed
// exception does not catch the invalid_argument that parse() throws, so the
// consumer leaves through the handler after it, which does not shut down.
void handlerOfAnotherType(int n) {
  Ring<int, 4> ring;
  std::thread consumer([&] {
    for (;;) {
      try {
        std::optional<int> raw = ring.receive();
        if (!raw)
          break;
        store(parse(*raw));
      } catch (const ChannelClosed &) {
        ring.shutdown();
        break;
      } catch (const std::exception &) {
        break;
      }
    }
  });
  for (int i = 0; i < n; ++i)
    ring.send(i);
  ring.shutdown();
  consumer.join();
}
// CHECK-MESSAGES: :[[@LINE-4]]:10: warning: producer can block forever in 'send' on bounded queue 'ring' (Ring<int, 4>): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-MESSAGES: :[[@LINE-15]]:15: note: an exception from 'parse' ends the consumer here without closing 'ring'
// CHECK-MESSAGES: :[[@LINE-12]]:9: note: the exception is caught here, and the thread goes on to leave
// CHECK-MESSAGES: :[[@LINE-12]]:9: note: fix: close 'ring' on each consumer exit, so that a producer blocked in 'send' wakes up

// Negative: the handler that catches it shuts the ring down; the one that
// does not is never taken for parse()'s exception.
void handlerOfItsType(int n) {
  Ring<int, 4> ring;
  std::thread consumer([&] {
    for (;;) {
      try {
        std::optional<int> raw = ring.receive();
        if (!raw)
          break;
        store(parse(*raw));
      } catch (const ChannelClosed &) {
        break;
      } catch (const std::exception &) {
        ring.shutdown();
        break;
      }
    }
  });
  for (int i = 0; i < n; ++i)
    ring.send(i);
  ring.shutdown();
  consumer.join();
}
