// RUN: %check_clang_tidy %s fanout-stranded-consumer %t -- -- -std=c++20 -isystem %S/Inputs

// A jthread consumer that a stop request ends: its loop looks at its stop
// token right after the blocking pop, and the member that stops it requests
// the stop, then joins. The pop does not see the request, so the join
// hangs on an empty queue. The fix closes the queue between the request
// and the join: the pop wakes, and the test that follows ends the loop.
#include "queues.h"
#include <stop_token>
#include <thread>

void forward(int v);

class Relay {
public:
  void start() {
    worker_ = std::jthread([this](std::stop_token token) {
      for (;;) {
        int v = 0;
        inbox_.take(v);
        // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: consumers can block forever in 'take' on queue 'inbox_' (Mailbox<int>, capacity 16): the producer can finish without closing it (it never closes it) [fanout-stranded-consumer]
        if (token.stop_requested())
          break;
        forward(v);
      }
    });
  }
  void stop() {
    worker_.request_stop();
    worker_.join();
  }
  // CHECK-MESSAGES: :[[@LINE-2]]:5: note: fix: close 'inbox_' in 'stop' between the stop request and the join: 'take' wakes, and the stop test after it ends the consumer
  // CHECK-FIXES: {{^}}    worker_.request_stop();{{$}}
  // CHECK-FIXES-NEXT: {{^}}    inbox_.stop();{{$}}
  // CHECK-FIXES-NEXT: {{^}}    worker_.join();{{$}}
  void send(int v) { inbox_.put(v); }

private:
  Mailbox<int> inbox_{16};
  std::jthread worker_;
};

void relayAll(int n) {
  Relay relay;
  relay.start();
  for (int i = 0; i < n; ++i)
    relay.send(i);
  relay.stop();
}

// Declined: the item is used before the stop test; a pop woken by the close
// gives none.
class EagerRelay {
public:
  void start() {
    worker_ = std::jthread([this](std::stop_token token) {
      for (;;) {
        int v = 0;
        inbox_.take(v);
        // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: consumers can block forever in 'take' on queue 'inbox_'
        forward(v);
        if (token.stop_requested())
          break;
      }
    });
  }
  void stop() {
    worker_.request_stop();
    worker_.join();
  }
  void send(int v) { inbox_.put(v); }

private:
  Mailbox<int> inbox_{16};
  std::jthread worker_;
};

void eagerRelayAll(int n) {
  EagerRelay relay;
  relay.start();
  for (int i = 0; i < n; ++i)
    relay.send(i);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: note: no automatic fix is certain here; call 'inbox_.stop()' on every way out of the producer
  relay.stop();
}
