package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// selfSignedCert writes a fresh ECDSA certificate for 127.0.0.1 and its
// key to dir, and returns their paths and a pool that trusts it.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "qmpdash test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestExporterTLSAndBasicAuthFromWebConfig serves through an
// exporter-toolkit web config file: https with the right password gets
// the metrics, a wrong or missing password 401, plain http nothing.
func TestExporterTLSAndBasicAuthFromWebConfig(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSignedCert(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web.yml")
	conf := "tls_server_config:\n  cert_file: " + certFile + "\n  key_file: " + keyFile +
		"\nbasic_auth_users:\n  prom: " + string(hash) + "\n"
	if err := os.WriteFile(webConfig, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	targets := t.TempDir() // no VMs: the exporter's own metrics are enough
	addr := startExporter(t, client, "https", "--web-config", webConfig, targets)

	get := func(scheme, user, pass string) (int, string, error) {
		req, err := http.NewRequest(http.MethodGet, scheme+"://"+addr+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	if code, body, err := get("https", "prom", "s3cret"); err != nil || code != http.StatusOK || !strings.Contains(body, "qmpdash_build_info") {
		t.Errorf("https, right password: %d %v, want 200 and the metrics; body:\n%.300s", code, err, body)
	}
	for _, c := range []struct{ name, user, pass string }{{"wrong password", "prom", "guess"}, {"unknown user", "root", "s3cret"}, {"no credentials", "", ""}} {
		if code, body, err := get("https", c.user, c.pass); err != nil || code != http.StatusUnauthorized || strings.Contains(body, "qmpdash_build_info") {
			t.Errorf("https, %s: %d %v, want 401 and no metrics", c.name, code, err)
		}
	}
	// Go's TLS server answers a plain HTTP request with a 400 of its own.
	if code, body, err := get("http", "prom", "s3cret"); err == nil && (code != http.StatusBadRequest || strings.Contains(body, "qmpdash_build_info")) {
		t.Errorf("plain http: %d, want a failure (400 or an error) and no metrics", code)
	}
}
