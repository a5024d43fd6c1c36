// Package mototest runs moto_server (Python moto, the AWS API on loopback) for
// tests, and makes real aws-sdk-go-v2 S3 and SQS clients that talk to it.
//
// One server serves a whole test binary: the package's TestMain calls Main,
// which stops the server when the tests are done, and each test takes it with
// Shared. Tests share the server, so each one creates its own buckets and
// queues with Name and can run in parallel.
//
//	func TestMain(m *testing.M) { mototest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		srv := mototest.Shared(t)
//		bucket := srv.Bucket(t, srv.S3())
//		...
//	}
//
// The server is started by localaws.Start, as the end-to-end test's is;
// this package adds what unit tests want of it: one server a test binary,
// clients in Region, unique names and the environment for
// config.LoadDefaultConfig.
//
// moto_server must be on PATH (pip install 'moto[server]'). When it is not,
// the tests that need it fail, naming the install command: they never skip.
package mototest
