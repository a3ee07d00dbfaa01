//! `mediameter usage --engine datafusion` and Parquet input: the same output as the kernel
//! engine on the bundled sample (with the `datafusion` feature), or an argument error naming
//! the feature (without it).

fn sample() -> String {
    format!("{}/data/usage_sample.csv", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = crate::run_mediameter(args, "");
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[cfg(feature = "datafusion")]
mod with_feature {
    use super::{run, sample};

    const QUERIES: [&[&str]; 4] = [
        &["--split-by", "region,spec"],
        &[
            "--interval",
            "86400",
            "--zone",
            "UTC",
            "--id-scope",
            "global",
            "--format",
            "csv",
        ],
        &[
            "--approximate",
            "10",
            "--role",
            "sub",
            "--minute-policy",
            "exact",
        ],
        &[
            "--distribution",
            "region",
            "--proportion",
            "largest-remainder",
        ],
    ];

    fn same_output(input: &str) {
        for q in QUERIES {
            let mut kernel = vec!["usage", input];
            kernel.extend_from_slice(q);
            let mut df = kernel.clone();
            df.extend_from_slice(&["--engine", "datafusion", "--threads", "2"]);
            let (k_code, k_out, k_err) = run(&kernel);
            let (d_code, d_out, d_err) = run(&df);
            assert_eq!(k_code, Some(0), "{k_err}");
            assert_eq!(d_code, Some(0), "{d_err}");
            assert!(!k_out.is_empty());
            assert_eq!(d_out, k_out, "{q:?}");
        }
    }

    #[test]
    fn datafusion_prints_what_the_kernel_prints() {
        same_output(&sample());
    }

    #[test]
    fn parquet_input_on_both_engines() {
        let segs =
            mediameter_usage::parse_csv(&std::fs::read_to_string(sample()).unwrap()).unwrap();
        let batch = mediameter_datafusion::segments_to_batch(&segs).unwrap();
        let path = std::env::temp_dir().join(format!("mm-cli-{}.parquet", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        let mut w = mediameter_datafusion::datafusion::parquet::arrow::ArrowWriter::try_new(
            file,
            batch.schema(),
            None,
        )
        .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let parquet = path.to_str().unwrap();
        same_output(parquet);
        // The kernel reads the Parquet file like the CSV one.
        let (_, from_csv, _) = run(&["usage", &sample(), "--split-by", "region"]);
        let (code, from_parquet, err) = run(&["usage", parquet, "--split-by", "region"]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(from_parquet, from_csv);
        // Records come from the kernel only.
        let (code, _, err) = run(&["usage", parquet, "--records", "--engine", "datafusion"]);
        assert_eq!(code, Some(2), "{err}");
        std::fs::remove_file(&path).ok();
    }

    #[test]
    fn a_bad_row_names_the_segment() {
        let path = std::env::temp_dir().join(format!("mm-cli-bad-{}.csv", std::process::id()));
        std::fs::write(
            &path,
            "app,channel,user,role,spec,region,start,end\na,c,u,sub,8k,r,0,60\n",
        )
        .unwrap();
        let (code, _, err) = run(&["usage", path.to_str().unwrap(), "--engine", "datafusion"]);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("row 0") && err.contains("8k"), "{err}");
        let (code, _, err) = run(&["usage", "--engine", "datafusion"]);
        assert_eq!(code, Some(2), "{err}");
        std::fs::remove_file(&path).ok();
    }
}

#[cfg(not(feature = "datafusion"))]
#[test]
fn without_the_feature_the_engine_and_parquet_are_refused() {
    let (code, _, err) = run(&["usage", &sample(), "--engine", "datafusion"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("datafusion feature"), "{err}");
    let (code, _, err) = run(&["usage", "segments.parquet"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("datafusion feature"), "{err}");
}
