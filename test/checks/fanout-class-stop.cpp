// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// A consumer that leaves when its class asks it to stop (its jthread's stop
// token, a member flag that stop() or the destructor clears) strands none of
// the producers that call the class's members, nor a calling thread that
// produces: they ask for the stop once they are done. A close under
// `if (worker_.joinable())` skips only the path where no thread runs. A
// consumer that clears the flag itself on an error, or a stop raised by a
// watchdog beside a producer thread, still strands the producer.
#include "queues.h"

#include <atomic>
#include <chrono>
#include <stop_token>
#include <thread>

bool handle(int v);

class Relay {
public:
  void start() {
    worker_ = std::jthread([this](std::stop_token stop) {
      int v;
      while (queue_.pop(v)) {
        if (stop.stop_requested())
          break;
        handle(v);
      }
    });
  }
  void submit(int v) { queue_.push(v); }
  void stop() {
    if (worker_.joinable()) {
      queue_.close();
      worker_.request_stop();
      worker_.join();
    }
  }

private:
  BoundedQueue<int> queue_{4};
  std::jthread worker_;
};

void relayAll(int n) {
  Relay relay;
  relay.start();
  for (int i = 0; i < n; ++i)
    relay.submit(i);
  relay.stop();
}

class Flusher {
public:
  Flusher() : thread_([this] { run(); }) {}
  ~Flusher() {
    running_ = false;
    queue_.close();
    thread_.join();
  }
  void write(int v) { queue_.push(v); }

private:
  void run() {
    int v;
    while (running_ && queue_.pop(v))
      handle(v);
  }
  std::atomic<bool> running_{true};
  BoundedQueue<int> queue_{4};
  std::thread thread_;
};

void flushAll(int n) {
  Flusher f;
  for (int i = 0; i < n; ++i)
    f.write(i);
}

void watchdogStops(int n) {
  BoundedQueue<int> q(4);
  std::atomic<bool> stop{false};
  std::thread consumer([&] {
    int v;
    while (!stop && q.pop(v))
      handle(v);
  });
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.close();
  });
  std::thread watchdog([&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    stop = true;
  });
  watchdog.join();
  producer.join();
  consumer.join();
}
// CHECK-MESSAGES: :[[@LINE-11]]:9: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]

class SelfStopper {
public:
  SelfStopper() : thread_([this] { run(); }) {}
  ~SelfStopper() {
    running_ = false;
    queue_.close();
    thread_.join();
  }
  void write(int v) { queue_.push(v); }

private:
  void run() {
    int v;
    while (running_ && queue_.pop(v))
      if (!handle(v))
        running_ = false;
  }
  std::atomic<bool> running_{true};
  BoundedQueue<int> queue_{4};
  std::thread thread_;
};

void selfStop(int n) {
  SelfStopper f;
  for (int i = 0; i < n; ++i)
    f.write(i);
}
// CHECK-MESSAGES: :[[@LINE-19]]:30: warning: callers of 'write' can block forever in 'push' on bounded queue 'queue_' (BoundedQueue<int>, capacity 4): every worker thread can exit without closing it, and nothing else wakes them [fanout-stranded-producer]
