// A KMS v2 plugin for the e2e tier only: it serves the API server's KMS v2 gRPC API (k8s.io/kms's own server)
// on a Unix socket and wraps data encryption keys with AES-256-GCM under a key read from a file. Production
// plugins keep that key in a real KMS or HSM; this one proves that our EncryptionConfiguration's kms section
// is what a real kube-apiserver uses, end to end.
package main

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"k8s.io/kms/pkg/service"
)

type plugin struct {
	aead  cipher.AEAD
	keyID string
}

func (p *plugin) Encrypt(_ context.Context, _ string, data []byte) (*service.EncryptResponse, error) {
	nonce := make([]byte, p.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return &service.EncryptResponse{Ciphertext: p.aead.Seal(nonce, nonce, data, nil), KeyID: p.keyID}, nil
}

func (p *plugin) Decrypt(_ context.Context, _ string, req *service.DecryptRequest) ([]byte, error) {
	if req.KeyID != p.keyID {
		return nil, fmt.Errorf("key ID %q is not this plugin's %q", req.KeyID, p.keyID)
	}
	n := p.aead.NonceSize()
	if len(req.Ciphertext) < n {
		return nil, errors.New("ciphertext shorter than a nonce")
	}
	return p.aead.Open(nil, req.Ciphertext[:n], req.Ciphertext[n:], nil)
}

func (p *plugin) Status(context.Context) (*service.StatusResponse, error) {
	return &service.StatusResponse{Version: "v2", Healthz: "ok", KeyID: p.keyID}, nil
}

func main() {
	socket := flag.String("listen", "", "Unix socket path to serve on (the EncryptionConfiguration's kms endpoint without unix://)")
	keyFile := flag.String("key-file", "", "file holding a base64 32-byte key encryption key")
	flag.Parse()
	if *socket == "" || *keyFile == "" {
		fmt.Fprintln(os.Stderr, "usage: kms-plugin --listen /path/socket.sock --key-file key.b64")
		os.Exit(2)
	}
	raw, err := os.ReadFile(*keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != 32 {
		fmt.Fprintln(os.Stderr, "the key file must hold 32 bytes, base64")
		os.Exit(1)
	}
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	sum := sha256.Sum256(key)
	p := &plugin{aead: aead, keyID: "e2e-" + hex.EncodeToString(sum[:4])}
	_ = os.Remove(*socket)
	svc := service.NewGRPCService(*socket, 5*time.Second, p)
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
		<-ch
		svc.Shutdown()
	}()
	fmt.Printf("kms-plugin: serving KMS v2 on %s, key ID %s\n", *socket, p.keyID)
	if err := svc.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
