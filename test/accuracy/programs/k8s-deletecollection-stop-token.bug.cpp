// accuracy-family: stranded-producer
// accuracy-origin: kubernetes PR #105606 (registry.Store.DeleteCollection in staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go: the distributor goroutine, wg.Wait, the workersExited channel), re-expressed in C++
// accuracy-shape: queue=cv-any-hand-written queue-api=send(value,stop_token)/receive/close stop=std::stop_token spawner=std::jthread+std::thread producer=jthread-lambda consumer=lambda exit=return-on-error-code wait=explicit-join-before-stop
//
// The distributor runs on a std::jthread and sends item indices through a
// bounded channel whose send also gives up when the thread's stop token is
// triggered (the select on a second channel). The workers delete items and
// return on the first error code. The caller waits for the workers, then
// joins the distributor -- explicitly, before the jthread's destructor
// would have requested the stop. Nobody requests it: with every delete
// failing, the distributor sleeps in send forever.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

template <typename T> class chan {
public:
  explicit chan(std::size_t cap) : cap_(cap) {}
  // false if the channel was closed or the stop was requested.
  bool send(T v, std::stop_token st) {
    std::unique_lock<std::mutex> lk(m_);
    if (!cv_.wait(lk, st, [&] { return closed_ || q_.size() < cap_; }) || closed_)
      return false;
    q_.push_back(std::move(v));
    cv_.notify_all();
    return true;
  }
  bool receive(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return closed_ || !q_.empty(); });
    if (q_.empty())
      return false;
    out = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable_any cv_;
  std::deque<T> q_;
  std::size_t cap_;
  bool closed_ = false;
};

constexpr int kOK = 0, kNotFound = 404, kUnavailable = 503;

struct storage {
  int Delete(const std::string &) const { return kUnavailable; } // etcd lost quorum
};

int DeleteCollection(const storage &e, const std::vector<std::string> &items, int workersNumber) {
  chan<std::size_t> toProcess(2 * workersNumber);
  chan<int> errs(workersNumber + 1);

  std::jthread distributor([&](std::stop_token workersExited) {
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!toProcess.send(i, workersExited)) // accuracy: blocks
        return;
    toProcess.close();
  });

  std::vector<std::thread> wg;
  for (int w = 0; w < workersNumber; ++w)
    wg.emplace_back([&] {
      std::size_t index;
      while (toProcess.receive(index)) {
        int code = e.Delete(items[index]);
        if (code != kOK && code != kNotFound) {
          errs.send(code, std::stop_token());
          return;
        }
      }
    });
  for (auto &t : wg)
    t.join();
  distributor.join();

  errs.close();
  int code;
  return errs.receive(code) ? code : kOK;
}

int main() {
  std::vector<std::string> secrets;
  for (int i = 0; i < 300; ++i)
    secrets.push_back("kube-system/secret-" + std::to_string(i));
  int code = DeleteCollection(storage{}, secrets, 3);
  std::printf("DeleteCollection: status %d\n", code);
  return code == kUnavailable ? 0 : 1;
}
