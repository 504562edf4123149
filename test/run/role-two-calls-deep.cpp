// RUN: %run_fix_test %s %t
//
// Both roles sit two calls below their thread bodies. The indexer thread
// runs index_all(), which calls emit_range() for each shard, which pushes
// each document id into a bounded queue; each writer thread runs
// write_all(), which calls write_batch(), whose pop loop returns on a
// document that fails to write. When every writer has returned, the
// indexer blocks forever in push(), and the join on it never returns. The
// queue's close wakes a blocked push, which then reports false: the fix
// closes the queue where the pop loop returns, two calls down in the
// writer, and stops the indexer where its push, two calls down, says
// closed.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

template <typename T> class DocQueue {
public:
  explicit DocQueue(std::size_t cap) : cap_(cap) {}
  bool push(T id) {
    std::unique_lock<std::mutex> lk(m_);
    not_full_.wait(lk, [&] { return closed_ || q_.size() < cap_; });
    if (closed_)
      return false;
    q_.push_back(id);
    not_empty_.notify_one();
    return true;
  }
  bool pop(T &id) {
    std::unique_lock<std::mutex> lk(m_);
    not_empty_.wait(lk, [&] { return closed_ || !q_.empty(); });
    if (q_.empty())
      return false;
    id = q_.front();
    q_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> q_;
  std::size_t cap_;
  bool closed_ = false;
};

static bool store(long id) { return id < 77; } // the disk fills at 77

static void emit_range(DocQueue<long> &docs, long from, long to) {
  for (long id = from; id < to; ++id)
    docs.push(id);
}

static void index_all(DocQueue<long> &docs, int shards) {
  for (int s = 0; s < shards; ++s)
    emit_range(docs, s * 100L, s * 100L + 100);
}

static long write_batch(DocQueue<long> &docs) {
  long written = 0;
  long id;
  while (docs.pop(id)) {
    if (!store(id))
      return written; // the writer stops, the indexer is not told
    ++written;
  }
  return written;
}

static void write_all(DocQueue<long> &docs, long &total) {
  total = write_batch(docs);
}

static long run(int shards) {
  DocQueue<long> docs(4);
  long totals[2] = {0, 0};
  std::thread indexer([&] { index_all(docs, shards); });
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w)
    writers.emplace_back([&docs, &totals, w] { write_all(docs, totals[w]); });
  indexer.join();
  docs.close();
  for (std::thread &t : writers)
    t.join();
  return totals[0] + totals[1];
}

int main() {
  // With no shard nothing is written; with eight, the disk fills at id 77
  // and every writer stops.
  std::printf("no shards: %ld written\n", run(0));
  std::printf("eight shards: %ld written\n", run(8));
  return 0;
}
// CHECK-FIXES: {{^}}    if (!docs.push(id)) break;{{$}}
// CHECK-FIXES: {{^}}    if (!store(id)) {{{$}}
// CHECK-FIXES-NEXT: {{^}}      docs.close();{{$}}
