// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// A consumer that leaves when the item it popped compares with a constant
// (`if (v < 0) break;`) stops on the producer's end marker only if some
// producer pushes such a value. When every push is data (a counter, a
// parsed record), the comparison validates the data: leaving on it is an
// early exit, and the producer blocked on the full queue is stranded.
#include "queues.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct Reading {
  int sensor;
  double celsius;
};
Reading sample(int i);
void record(const Reading &r);

// Positive: the readings are measured; one out of range ends the consumer.
void monitor(int count) {
  Conveyor<Reading> readings(4);
  std::thread recorder([&] {
    while (std::optional<Reading> r = readings.unload()) {
      if (r->celsius < -40.0)
        return;
      record(*r);
    }
  });
  for (int i = 0; i < count; ++i)
    if (!readings.load(sample(i)))
      // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: producer can block forever in 'load' on bounded queue 'readings' {{.*}} [fanout-stranded-producer]
      // The note is printed after the warning, so it is checked here:
      // CHECK-MESSAGES: :[[@LINE-8]]:9: note: consumer returns here without closing 'readings'
      break;
  readings.stop();
  recorder.join();
}

// Positive, spelled differently: integers counted up by a producer thread,
// jthread consumers that leave on a large one.
int total = 0;
void sumSmall(int count) {
  Conveyor<int> numbers(2);
  std::vector<std::jthread> summers;
  for (int c = 0; c < 2; ++c)
    summers.emplace_back([&] {
      while (std::optional<int> n = numbers.unload()) {
        if (*n > 100)
          break;
        total += *n;
      }
    });
  std::thread counter([&] {
    for (int i = 0; i < count; ++i)
      numbers.load(i * 3);
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: producer can block forever in 'load' on bounded queue 'numbers' {{.*}} [fanout-stranded-producer]
    numbers.stop();
  });
  counter.join();
}

// Negative: the producer's end is a negative value, one per consumer.
void sumUntilMarker(int count) {
  Conveyor<int> numbers(2);
  std::vector<std::thread> summers;
  for (int c = 0; c < 2; ++c)
    summers.emplace_back([&] {
      while (std::optional<int> n = numbers.unload()) {
        if (*n < 0)
          break;
        total += *n;
      }
    });
  for (int i = 0; i < count; ++i)
    numbers.load(i);
  for (int c = 0; c < 2; ++c)
    numbers.load(-1);
  for (auto &t : summers)
    t.join();
}

// Negative: the marker is an item built from a constant.
struct Job {
  int id;
};
constexpr int kLastJob = 1 << 30;
void runJobs(int count) {
  Conveyor<Job> jobs(2);
  std::thread worker([&] {
    while (std::optional<Job> j = jobs.unload()) {
      if (j->id >= kLastJob)
        break;
      total += j->id;
    }
  });
  for (int i = 0; i < count; ++i)
    jobs.load(Job{i});
  jobs.load(Job{kLastJob});
  worker.join();
}

// Negative: an empty string is the end marker, written as `""`; the
// producer sends one per consumer after its lines, on its only way out, and
// waits for the consumers as their pool goes out of scope.
void use(const std::string &line);

void printLines(SemaphoreRing<std::string, 8> &ring) {
  for (;;) {
    std::string line = ring.take();
    if (line.empty())
      return;
    use(line);
  }
}

long emptyStringMarkers(int lines) {
  SemaphoreRing<std::string, 8> ring;
  {
    std::vector<std::jthread> printers;
    for (int p = 0; p < 2; ++p)
      printers.emplace_back([&ring] { printLines(ring); });
    for (int i = 0; i < lines; ++i)
      ring.put(std::to_string(i));
    for (int p = 0; p < 2; ++p)
      ring.put("");
  }
  return lines;
}
