// REQUIRES: boost, boost-fiber, tbb, readerwriterqueue
// RUN: %check_clang_tidy %s fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// fanout-join-before-drain over every bounded queue API and the other ways
// of waiting for workers.
#include "queues.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/fiber/buffered_channel.hpp>
#include <boost/thread/concurrent_queues/sync_bounded_queue.hpp>
#include <folly/MPMCQueue.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/task_group.h>
#include <pthread.h>
#include <readerwriterqueue/readerwritercircularbuffer.h>
#include <thread>

int work(int i);

void boostQueue(int n) {
  boost::concurrent::sync_bounded_queue<int> results(4);
  boost::asio::thread_pool pool(2);
  for (int w = 0; w < 2; ++w)
    boost::asio::post(pool, [&] {
      for (int i = 0; i < n; ++i)
        results.push(work(i));
    });
  pool.join();
  results.close();
  int r;
  while (results.wait_pull_front(r) ==
         boost::concurrent::queue_op_status::success)
    ;
}
// CHECK-NOTES: :[[@LINE-7]]:3: warning: this wait can block forever: workers push into bounded queue 'results' (boost::concurrent::sync_bounded_queue<int>, capacity 4), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
// CHECK-NOTES: :[[@LINE-15]]:46: note: queue 'results' declared here
// CHECK-NOTES: :[[@LINE-11]]:17: note: workers block here once 'results' is full
// CHECK-NOTES: :[[@LINE-14]]:5: note: worker threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-8]]:18: note: 'results' is drained only here, after the wait
// CHECK-NOTES: :[[@LINE-12]]:3: note: fix: join the workers and close the queue on a joiner thread while this thread drains it
// CHECK-FIXES: {{^}}  std::thread joiner([&] {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    pool.join();{{$}}
// CHECK-FIXES-NEXT: {{^}}    results.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  });{{$}}
// CHECK-FIXES: {{^}}  joiner.join();{{$}}

void tbbQueue(int n) {
  tbb::concurrent_bounded_queue<int> results;
  results.set_capacity(4);
  tbb::task_group group;
  group.run([&] {
    for (int i = 0; i < n; ++i)
      results.push(work(i));
  });
  group.wait();
  int r;
  while (results.try_pop(r))
    ;
}
// CHECK-NOTES: :[[@LINE-5]]:3: warning: this wait can block forever: workers push into bounded queue 'results' (tbb::concurrent_bounded_queue<int>, capacity 4), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
// CHECK-NOTES: :[[@LINE-13]]:38: note: queue 'results' declared here
// CHECK-NOTES: :[[@LINE-9]]:15: note: workers block here once 'results' is full
// CHECK-NOTES: :[[@LINE-12]]:3: note: worker thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:18: note: 'results' is drained only here, after the wait
// CHECK-NOTES: :[[@LINE-10]]:3: note: drain the queue while waiting (pop in this thread while another joins the workers and then closes the queue), or before waiting

void fiberChannel(int n) {
  boost::fibers::buffered_channel<int> results(8);
  std::thread worker([&] {
    for (int i = 0; i < n; ++i)
      results.push(work(i));
  });
  worker.join();
  results.close();
  int r;
  while (results.pop(r) == boost::fibers::channel_op_status::success)
    ;
}
// CHECK-NOTES: :[[@LINE-6]]:3: warning: this wait can block forever: workers push into bounded queue 'results' (boost::fibers::buffered_channel<int>, capacity 8), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
// CHECK-NOTES: :[[@LINE-12]]:40: note: queue 'results' declared here
// CHECK-NOTES: :[[@LINE-10]]:15: note: workers block here once 'results' is full
// CHECK-NOTES: :[[@LINE-13]]:15: note: worker thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:18: note: 'results' is drained only here, after the wait
// CHECK-NOTES: :[[@LINE-11]]:3: note: fix: join the workers and close the queue on a joiner thread while this thread drains it
// CHECK-FIXES: {{^}}  std::thread joiner([&] {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    worker.join();{{$}}
// CHECK-FIXES: {{^}}  joiner.join();{{$}}

void follyQueue(int n) {
  folly::MPMCQueue<int> results(16);
  std::jthread worker([&] {
    for (int i = 0; i < n; ++i)
      results.blockingWrite(work(i));
  });
  worker.join();
  int r;
  while (results.read(r))
    ;
}
// CHECK-NOTES: :[[@LINE-5]]:3: warning: this wait can block forever: workers push into bounded queue 'results' (folly::MPMCQueue<int>, capacity 16), which is drained only after it; once the queue is full they block in 'blockingWrite' [fanout-join-before-drain]
// CHECK-NOTES: :[[@LINE-11]]:25: note: queue 'results' declared here
// CHECK-NOTES: :[[@LINE-9]]:15: note: workers block here once 'results' is full
// CHECK-NOTES: :[[@LINE-12]]:16: note: worker thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:18: note: 'results' is drained only here, after the wait
// CHECK-NOTES: :[[@LINE-10]]:3: note: drain the queue while waiting (pop in this thread while another joins the workers and then closes the queue), or before waiting

constexpr int Items = 1000;
void *produce(void *arg) {
  auto *out =
      static_cast<moodycamel::BlockingReaderWriterCircularBuffer<int> *>(arg);
  for (int i = 0; i < Items; ++i)
    out->wait_enqueue(work(i));
  return nullptr;
}

void posixWorker() {
  moodycamel::BlockingReaderWriterCircularBuffer<int> results(32);
  pthread_t worker;
  pthread_create(&worker, nullptr, produce, &results);
  pthread_join(worker, nullptr);
  int r;
  while (results.try_dequeue(r))
    ;
}
// CHECK-NOTES: :[[@LINE-5]]:3: warning: this wait can block forever: workers push into bounded queue 'results' (moodycamel::BlockingReaderWriterCircularBuffer<int>, capacity 32), which is drained only after it; once the queue is full they block in 'wait_enqueue' [fanout-join-before-drain]
// CHECK-NOTES: :[[@LINE-9]]:55: note: queue 'results' declared here
// CHECK-NOTES: :[[@LINE-15]]:10: note: workers block here once 'results' is full
// CHECK-NOTES: :[[@LINE-9]]:3: note: worker thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:18: note: 'results' is drained only here, after the wait
// One thread pushing 1000 results in a counted loop: room for all of them.
// CHECK-NOTES: :[[@LINE-14]]:63: note: fix: give 'results' room for all 1000 results
// CHECK-FIXES: {{^}}  moodycamel::BlockingReaderWriterCircularBuffer<int> results(1000);{{$}}
