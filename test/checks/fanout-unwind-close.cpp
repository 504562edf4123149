// RUN: %check_clang_tidy %s fanout-stranded-consumer %t -- -- -std=c++20 -I %S/Inputs

// End markers on a queue that can also be closed with the reason
// (`fail(std::exception_ptr)`): an exception that skips the marker strands
// the consumers. The fix wraps the producing function the exception leaves
// in a handler that fails the queue with it and rethrows, so the consumers'
// take() throws the producer's error; the thread still ends as it did.
#include "queues.h"
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

void log_error(const char *what);

// A class the calling thread drives: add() then finish(), whose trailer
// check throws before the end marker is sent.
class Encoder {
  Stream<int> out_{4};
  long sum_ = 0;
  std::future<long> done_;

public:
  void start() {
    done_ = std::async(std::launch::async, [this] {
      long bytes = 0;
      while (std::optional<int> block = out_.take())
      // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: consumers can block forever in 'take' on queue 'out_' (Stream<int>, capacity 4): the producer can finish without closing it [fanout-stranded-consumer]
      // CHECK-MESSAGES: :[[@LINE-10]]:15: note: queue 'out_' declared here
        bytes += *block;
      return bytes;
    });
  }
  void add(int block) {
    sum_ += block;
    out_.put(block);
  }
  void finish() {
    write_trailer();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: an exception from 'write_trailer' ends the producer here without closing 'out_'
    // CHECK-MESSAGES: :[[@LINE-16]]:13: note: consumer thread spawned here
    out_.put(std::nullopt);
  }
  long wait() { return done_.get(); }

private:
  void write_trailer() {
    if (sum_ % 7 == 0)
      throw std::runtime_error("bad checksum");
    out_.put(-sum_);
  }
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: fix: call 'fail' on 'out_' with the exception that leaves 'write_trailer', and rethrow it: the consumers' 'take' then throws it instead of waiting for the end of the stream
  // CHECK-FIXES: {{^}}    try {{{$}}
  // CHECK-FIXES-NEXT: {{^}}      if (sum_ % 7 == 0){{$}}
  // CHECK-FIXES: {{^}}    } catch (...) {{{$}}
  // CHECK-FIXES-NEXT: {{^}}      out_.fail(std::current_exception());{{$}}
  // CHECK-FIXES-NEXT: {{^}}      throw;{{$}}
};

void encode(const std::vector<int> &blocks) {
  Encoder enc;
  enc.start();
  try {
    for (int b : blocks)
      enc.add(b);
    enc.finish();
  } catch (const std::exception &e) {
    log_error(e.what());
  }
  try {
    enc.wait();
  } catch (const std::exception &e) {
    log_error(e.what());
  }
}

// A free function the spawning thread runs itself; the throw is its own.
void copy_all(Stream<long> &s, const std::vector<long> &in) {
  for (long v : in) {
    if (v < 0)
      throw std::invalid_argument("negative length");
    s.put(v);
  }
  s.put(std::nullopt);
}
// CHECK-FIXES: {{^}}  try {{{$}}
// CHECK-FIXES: {{^}}    s.fail(std::current_exception());{{$}}

long copy_and_count(const std::vector<long> &in) {
  Stream<long> s(8);
  std::future<long> counted = std::async(std::launch::async, [&] {
    long n = 0;
    while (std::optional<long> v = s.take())
    // CHECK-MESSAGES: :[[@LINE-1]]:38: warning: consumers can block forever in 'take' on queue 's' (Stream<long>, capacity 8): the producer can finish without closing it [fanout-stranded-consumer]
    // CHECK-MESSAGES: :[[@LINE-5]]:16: note: queue 's' declared here
    // CHECK-MESSAGES: :[[@LINE+10]]:5: note: an exception from 'copy_all' ends the producer here without closing 's'
    // CHECK-MESSAGES: :[[@LINE+10]]:5: note: the exception is caught here, and the thread goes on to leave
    // CHECK-MESSAGES: :[[@LINE+13]]:5: note: producer returns here without closing 's'
    // CHECK-MESSAGES: :[[@LINE-8]]:31: note: consumer thread spawned here
    // CHECK-MESSAGES: :[[@LINE+11]]:12: note: this wait never returns once the consumers are stuck
    // CHECK-MESSAGES: :[[@LINE-22]]:3: note: fix: call 'fail' on 's' with the exception that leaves 'copy_all', and rethrow it: the consumers' 'take' then throws it instead of waiting for the end of the stream
      n += *v;
    return n;
  });
  try {
    copy_all(s, in);
  } catch (const std::invalid_argument &) {
    log_error("bad input");
  }
  try {
    return counted.get();
  } catch (...) {
    return -1;
  }
}

// Declined: a jthread consumer whose take() is in no try would end the
// process on the rethrown error; the check says what to do instead.
void copy_to_thread(const std::vector<long> &in) {
  Stream<long> s(8);
  long n = 0;
  std::jthread counter([&] {
    while (std::optional<long> v = s.take())
    // CHECK-MESSAGES: :[[@LINE-1]]:38: warning: consumers can block forever in 'take' on queue 's' (Stream<long>, capacity 8): the producer can finish without closing it (it never closes it) [fanout-stranded-consumer]
    // CHECK-MESSAGES: :[[@LINE-5]]:16: note: queue 's' declared here
    // CHECK-MESSAGES: :[[@LINE+9]]:5: note: an exception from 'copy_all' ends the producer here without closing 's'
    // CHECK-MESSAGES: :[[@LINE+9]]:5: note: the exception is caught here, and the thread goes on to leave
    // CHECK-MESSAGES: :[[@LINE+12]]:1: note: producer finishes here without closing 's'
    // CHECK-MESSAGES: :[[@LINE-7]]:16: note: consumer thread spawned here
    // CHECK-MESSAGES: :[[@LINE+9]]:3: note: this wait never returns once the consumers are stuck
    // CHECK-MESSAGES: :[[@LINE+4]]:5: note: no automatic fix is certain here; call 's.fail(...)' on every way out of the producer (an RAII guard covers exceptions too)
      n += *v;
  });
  try {
    copy_all(s, in);
  } catch (const std::invalid_argument &) {
    log_error("bad input");
  }
  counter.join();
}

// Negative: the producer fails the stream itself on the way out.
void copy_all_failing(Stream<long> &s, const std::vector<long> &in) {
  try {
    for (long v : in) {
      if (v < 0)
        throw std::invalid_argument("negative length");
      s.put(v);
    }
    s.put(std::nullopt);
  } catch (...) {
    s.fail(std::current_exception());
    throw;
  }
}

long copy_and_count_ok(const std::vector<long> &in) {
  Stream<long> s(8);
  std::future<long> counted = std::async(std::launch::async, [&] {
    long n = 0;
    while (std::optional<long> v = s.take())
      n += *v;
    return n;
  });
  try {
    copy_all_failing(s, in);
  } catch (const std::invalid_argument &) {
    log_error("bad input");
  }
  try {
    return counted.get();
  } catch (...) {
    return -1;
  }
}

