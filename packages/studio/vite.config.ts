import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The studio builds to dist/, which `lathe server` serves at `/`. In development,
 * `npm run dev -w @lathe/studio` proxies the API to a running server (LATHE_URL).
 */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      // zod's sources carry pure-annotations Rollup cannot place; harmless, so not printed.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
      output: {
        manualChunks: { react: ['react', 'react-dom', 'react-dom/client', 'react-router'], uplot: ['uplot'] },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.LATHE_URL ?? 'http://127.0.0.1:5252', '/health': process.env.LATHE_URL ?? 'http://127.0.0.1:5252' },
  },
});
