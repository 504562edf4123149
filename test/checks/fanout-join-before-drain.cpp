// RUN: %check_clang_tidy %s fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// Workers push results into a bounded queue that is drained only after they
// are joined.
#include "queues.h"

#include <future>
#include <string>
#include <thread>
#include <vector>

int work(int i);

// Each worker pushes many results; eight fit.
void manyResults(int n) {
  BoundedQueue<int> results(8);
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&, w] {
      for (int i = w; i < n; i += 4)
        results.push(work(i));
    });
  for (auto &t : workers)
    t.join();
  results.close();
  int r;
  while (results.pop(r))
    ;
}
// CHECK-NOTES: :[[@LINE-6]]:5: warning: this wait can block forever: workers push into bounded queue 'results' (BoundedQueue<int>, capacity 8), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
// CHECK-NOTES: :[[@LINE-15]]:21: note: queue 'results' declared here
// CHECK-NOTES: :[[@LINE-11]]:17: note: workers block here once 'results' is full
// CHECK-NOTES: :[[@LINE-14]]:5: note: worker threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-7]]:18: note: 'results' is drained only here, after the wait
// CHECK-NOTES: :[[@LINE-11]]:5: note: fix: join the workers and close the queue on a joiner thread while this thread drains it
// CHECK-FIXES: {{^}}  std::thread joiner([&] {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    for (auto &t : workers){{$}}
// CHECK-FIXES-NEXT: {{^}}      t.join();{{$}}
// CHECK-FIXES-NEXT: {{^}}    results.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  });{{$}}
// CHECK-FIXES: {{^}}    ;{{$}}
// CHECK-FIXES-NEXT: {{^}}  joiner.join();{{$}}

// One result per worker, sixteen workers, room for four.
void moreWorkersThanRoom() {
  BoundedQueue<int> results(4);
  std::vector<std::future<void>> futures;
  for (int w = 0; w < 16; ++w)
    futures.push_back(std::async(std::launch::async, [&, w] {
      results.push(work(w));
    }));
  for (auto &f : futures)
    f.get();
  results.close();
  int r;
  while (results.pop(r))
    ;
}
// CHECK-NOTES: :[[@LINE-6]]:5: warning: this wait can block forever: workers push into bounded queue 'results' (BoundedQueue<int>, capacity 4), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
// CHECK-NOTES: :[[@LINE-14]]:21: note: queue 'results' declared here
// CHECK-NOTES: :[[@LINE-11]]:15: note: workers block here once 'results' is full
// CHECK-NOTES: :[[@LINE-13]]:23: note: worker threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-7]]:18: note: 'results' is drained only here, after the wait
// CHECK-NOTES: :[[@LINE-11]]:5: note: fix: join the workers and close the queue on a joiner thread while this thread drains it
// CHECK-NOTES: :[[@LINE-19]]:29: note: alternatively, give 'results' room for all 16 results
// CHECK-FIXES: {{^}}  std::thread joiner([&] {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    for (auto &f : futures){{$}}
// CHECK-FIXES: {{^}}  joiner.join();{{$}}

// Negative: one result per worker, and room for one more than the workers
// (the DeleteCollection errors channel).
void roomForEveryWorker(int workers, int n) {
  BoundedQueue<std::string> errs(workers + 1);
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      for (int i = 0; i < n; ++i)
        if (work(i) < 0) {
          errs.push("failed");
          return;
        }
    });
  for (auto &t : pool)
    t.join();
  errs.close();
  std::string e;
  while (errs.pop(e))
    ;
}

// Negative: drained by another thread while the workers run.
void drainedConcurrently(int n) {
  BoundedQueue<int> results(8);
  std::thread drainer([&] {
    int r;
    while (results.pop(r))
      ;
  });
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&, w] {
      for (int i = w; i < n; i += 4)
        results.push(work(i));
    });
  for (auto &t : workers)
    t.join();
  results.close();
  drainer.join();
}

// Negative: the constant number of results fits.
void fits() {
  BoundedQueue<int> results(8);
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w)
    workers.emplace_back([&, w] { results.push(work(w)); });
  for (auto &t : workers)
    t.join();
  results.close();
  int r;
  while (results.pop(r))
    ;
}

// Negative: the workers' push cannot block.
void tryPush(int n) {
  BoundedQueue<int> results(8);
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&, w] {
      for (int i = w; i < n; i += 4)
        if (!results.try_push(work(i)))
          return;
    });
  for (auto &t : workers)
    t.join();
  results.close();
  int r;
  while (results.pop(r))
    ;
}
