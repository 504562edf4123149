// RUN: %check_clang_tidy %s fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// Workers that push one result per item they take from a work queue the
// spawner filled before starting them push at most as many results as
// there were items: a results queue with room for every item never fills,
// and joining before draining it is safe. Room for fewer, two results an
// item, or work added after the start can fill it.
#include "queues.h"

#include <string>
#include <thread>
#include <vector>

int check(const std::string &url);

// Negative: one slot per URL; a failing checker stops without a result.
void oneSlotPerUrl(const std::vector<std::string> &urls, int checkers) {
  BoundedQueue<std::string> work(urls.size());
  for (const auto &u : urls)
    work.push(u);
  work.close();
  BoundedQueue<std::string> results(urls.size());
  std::vector<std::thread> pool;
  for (int c = 0; c < checkers; ++c)
    pool.emplace_back([&] {
      std::string url;
      while (work.pop(url)) {
        if (check(url) < 0)
          return;
        results.push(url);
      }
    });
  for (auto &t : pool)
    t.join();
  results.close();
  std::string r;
  while (results.pop(r))
    ;
}

// Negative: a counted fill and a constant capacity that matches it.
void countedFill() {
  BoundedQueue<int> jobs(64);
  for (int i = 0; i < 100; ++i)
    jobs.push(i);
  jobs.close();
  BoundedQueue<int> done(100);
  std::vector<std::thread> crew;
  for (int w = 0; w < 3; ++w)
    crew.emplace_back([&] {
      for (int job; jobs.pop(job);)
        done.push(job * 2);
    });
  for (auto &t : crew)
    t.join();
  done.close();
  int d;
  while (done.pop(d))
    ;
}

// Room for half of the items.
void halfTheRoom(const std::vector<std::string> &urls, int checkers) {
  BoundedQueue<std::string> work(urls.size());
  for (const auto &u : urls)
    work.push(u);
  work.close();
  BoundedQueue<std::string> results(urls.size() / 2);
  std::vector<std::thread> pool;
  for (int c = 0; c < checkers; ++c)
    pool.emplace_back([&] {
      std::string url;
      while (work.pop(url))
        results.push(url);
    });
  for (auto &t : pool)
    t.join();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: this wait can block forever: workers push into bounded queue 'results' (BoundedQueue<std::string>, capacity urls.size() / 2), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
  results.close();
  std::string r;
  while (results.pop(r))
    ;
}

// Two results an item.
void twoAnItem(const std::vector<std::string> &urls, int checkers) {
  BoundedQueue<std::string> work(urls.size());
  for (const auto &u : urls)
    work.push(u);
  work.close();
  BoundedQueue<std::string> results(urls.size());
  std::vector<std::thread> pool;
  for (int c = 0; c < checkers; ++c)
    pool.emplace_back([&] {
      std::string url;
      while (work.pop(url)) {
        results.push("checking " + url);
        results.push(url);
      }
    });
  for (auto &t : pool)
    t.join();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: this wait can block forever: workers push into bounded queue 'results' (BoundedQueue<std::string>, capacity urls.size()), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
  results.close();
  std::string r;
  while (results.pop(r))
    ;
}

// Work added after the workers started: more items than were counted.
void moreWorkLater(const std::vector<std::string> &urls,
                   const std::vector<std::string> &retries, int checkers) {
  BoundedQueue<std::string> work(urls.size());
  for (const auto &u : urls)
    work.push(u);
  BoundedQueue<std::string> results(urls.size());
  std::vector<std::thread> pool;
  for (int c = 0; c < checkers; ++c)
    pool.emplace_back([&] {
      std::string url;
      while (work.pop(url))
        results.push(url);
    });
  for (const auto &u : retries)
    work.push(u);
  work.close();
  for (auto &t : pool)
    t.join();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: this wait can block forever: workers push into bounded queue 'results' (BoundedQueue<std::string>, capacity urls.size()), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
  results.close();
  std::string r;
  while (results.pop(r))
    ;
}

// Each worker pushes a counted number of results (one per command, in a
// loop of a constant count): four workers of ten results fit in forty.
static const int kCommands = 10;

void countedPerWorker() {
  BoundedQueue<int> outputs(40);
  std::vector<std::thread> devices;
  for (int d = 0; d < 4; ++d)
    devices.emplace_back([&, d] {
      for (int c = 0; c < kCommands; ++c)
        outputs.push(d * 100 + c);
    });
  for (auto &t : devices)
    t.join();
  outputs.close();
  int o;
  while (outputs.pop(o))
    ;
}

// The same over a list of hosts, with room for twenty: the fix gives the
// queue room for every result.
void countedPerHost(const std::vector<std::string> &hosts) {
  BoundedQueue<std::string> outputs(20);
  // CHECK-FIXES: {{^}}  BoundedQueue<std::string> outputs(hosts.size() * 10);{{$}}
  std::vector<std::thread> procs;
  for (const std::string &host : hosts)
    procs.emplace_back([&] {
      for (int c = 0; c < kCommands; ++c)
        outputs.push(host + ": ok");
    });
  for (auto &t : procs)
    t.join();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: this wait can block forever: workers push into bounded queue 'outputs' (BoundedQueue<std::string>, capacity 20), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
  std::string o;
  for (std::size_t i = 0; i < hosts.size() * kCommands; ++i)
    outputs.pop(o);
}

// Negative: room for ten results a host, written as a product.
void roomForTenAHost(const std::vector<std::string> &hosts) {
  BoundedQueue<std::string> outputs(kCommands * hosts.size());
  std::vector<std::thread> procs;
  for (const std::string &host : hosts)
    procs.emplace_back([&] {
      for (int c = 0; c < kCommands; ++c)
        outputs.push(host + ": ok");
    });
  for (auto &t : procs)
    t.join();
  std::string o;
  for (std::size_t i = 0; i < hosts.size() * kCommands; ++i)
    outputs.pop(o);
}
