// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20

// A ring guarded by counting semaphores has no predicate to read: its close
// is the method that sets a flag and releases the semaphores the sides sleep
// on. The producer that stops because the ring said so leaves nothing
// stranded; a marker sent in a branch's condition is sent every iteration;
// `v->empty()` asks about the item an optional holds, not about the close.
#include <array>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

template <class T, std::ptrdiff_t N> class SemRing {
public:
  // False once shut down.
  bool send(T v) {
    spaces_.acquire();
    std::lock_guard<std::mutex> g(m_);
    if (stopping_)
      return false;
    cells_[in_] = std::move(v);
    in_ = (in_ + 1) % N;
    ++size_;
    items_.release();
    return true;
  }
  // Empty once shut down and drained.
  std::optional<T> recv() {
    items_.acquire();
    std::lock_guard<std::mutex> g(m_);
    if (size_ == 0)
      return std::nullopt;
    T v = std::move(cells_[out_]);
    out_ = (out_ + 1) % N;
    --size_;
    spaces_.release();
    return v;
  }
  void shutdown() {
    {
      std::lock_guard<std::mutex> g(m_);
      stopping_ = true;
    }
    spaces_.release(1000);
    items_.release(1000);
  }

private:
  std::counting_semaphore<> spaces_{N}, items_{0};
  std::mutex m_;
  std::array<T, N> cells_{};
  std::ptrdiff_t in_ = 0, out_ = 0, size_ = 0;
  bool stopping_ = false;
};

bool store(const std::string &row);
std::string readRow(int i);

// Correct: a reader that gives up shuts the ring down; the writer stops on
// the refused send; the markers go out in a branch's condition.
void shutdownOnError(int rows, int readers) {
  SemRing<std::string, 4> ring;
  std::vector<std::thread> pool;
  for (int r = 0; r < readers; ++r)
    pool.emplace_back([&] {
      while (true) {
        std::optional<std::string> row = ring.recv();
        if (!row || row->empty())
          return;
        if (!store(*row)) {
          ring.shutdown();
          return;
        }
      }
    });
  std::thread writer([&] {
    for (int i = 0; i < rows; ++i)
      if (!ring.send(readRow(i)))
        return;
    for (int r = 0; r < readers; ++r)
      if (!ring.send(std::string()))
        return;
  });
  writer.join();
  for (std::thread &t : pool)
    t.join();
}

// The bug: a reader leaves without a word; the writer sleeps on a space.
void leaveSilently(int rows, int readers) {
  SemRing<std::string, 4> ring;
  std::vector<std::thread> pool;
  for (int r = 0; r < readers; ++r)
    pool.emplace_back([&] {
      while (true) {
        std::optional<std::string> row = ring.recv();
        if (!row || row->empty())
          return;
        if (!store(*row))
          return;
        // CHECK-FIXES: {{^}}        if (!store(*row)) {{[{]}}{{$}}
        // CHECK-FIXES-NEXT: {{^}}          ring.shutdown();{{$}}
        // CHECK-FIXES-NEXT: {{^}}          return;{{$}}
      }
    });
  std::thread writer([&] {
    for (int i = 0; i < rows; ++i)
      if (!ring.send(readRow(i)))
        return;
    for (int r = 0; r < readers; ++r)
      if (!ring.send(std::string()))
        return;
  });
  // CHECK-MESSAGES: :[[@LINE-6]]:17: warning: producer can block forever in 'send' on bounded queue 'ring' (SemRing<std::string, 4>): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
  writer.join();
  for (std::thread &t : pool)
    t.join();
}

// The sibling: the writer gives up on a bad row and sends no markers; the
// readers sleep on an item that never comes.
void writerGivesUp(int rows, int readers) {
  SemRing<std::string, 4> ring;
  std::vector<std::thread> pool;
  for (int r = 0; r < readers; ++r)
    pool.emplace_back([&] {
      while (true) {
        std::optional<std::string> row = ring.recv();
        // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: consumers can block forever in 'recv' on queue 'ring' (SemRing<std::string, 4>): the producer can finish without closing it [fanout-stranded-consumer]
        if (!row || row->empty())
          return;
        store(*row);
      }
    });
  std::thread writer([&] {
    for (int i = 0; i < rows; ++i) {
      std::string row = readRow(i);
      if (row.size() > 100)
        return;
      ring.send(row);
    }
    for (int r = 0; r < readers; ++r)
      ring.send(std::string());
  });
  writer.join();
  for (std::thread &t : pool)
    t.join();
}

// Correct: the end marker is held in a const local before it is sent, once
// per reader; the readers stop on it.
void markerInALocal(int rows, int readers) {
  SemRing<std::string, 4> ring;
  std::vector<std::thread> pool;
  for (int r = 0; r < readers; ++r)
    pool.emplace_back([&] {
      while (true) {
        std::optional<std::string> row = ring.recv();
        if (!row || row->empty())
          return;
        store(*row);
      }
    });
  std::thread writer([&] {
    for (int i = 0; i < rows; ++i)
      ring.send(readRow(i));
    const std::string done;
    for (int r = 0; r < readers; ++r)
      ring.send(done);
  });
  writer.join();
  for (std::thread &t : pool)
    t.join();
}
