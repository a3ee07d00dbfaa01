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

    /// The kernel reads a Parquet file whatever its text columns' encoding: plain, dictionary
    /// (read as Arrow dictionaries), or dictionary falling back to plain within a column
    /// chunk, over several row groups, with null values; its output is that of the same
    /// segments as CSV.
    #[test]
    fn parquet_encodings_and_nulls_read_as_the_csv() {
        use mediameter_datafusion::datafusion::parquet::arrow::ArrowWriter;
        use mediameter_datafusion::datafusion::parquet::file::properties::WriterProperties;
        use mediameter_datafusion::datafusion::parquet::schema::types::ColumnPath;
        let mut segs =
            mediameter_usage::parse_csv(&std::fs::read_to_string(sample()).unwrap()).unwrap();
        for s in segs.iter_mut().step_by(7) {
            s.region = None;
        }
        let csv = std::env::temp_dir().join(format!("mm-cli-enc-{}.csv", std::process::id()));
        std::fs::write(&csv, mediameter_usage::csv::segments_csv(&segs)).unwrap();
        let batch = mediameter_datafusion::segments_to_batch(&segs).unwrap();
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(40))
            // Users and channels plain, the others dictionary-encoded; the publishers'
            // dictionary pages so small that their chunks fall back to plain pages.
            .set_column_dictionary_enabled(ColumnPath::from("user"), false)
            .set_column_dictionary_enabled(ColumnPath::from("channel"), false)
            .set_column_dictionary_page_size_limit(ColumnPath::from("publisher"), 16)
            .set_data_page_row_count_limit(8)
            .set_write_batch_size(8)
            .build();
        let path = std::env::temp_dir().join(format!("mm-cli-enc-{}.parquet", std::process::id()));
        let mut w = ArrowWriter::try_new(
            std::fs::File::create(&path).unwrap(),
            batch.schema(),
            Some(props),
        )
        .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let queries: [&[&str]; 4] = [
            &["--split-by", "region,spec"],
            &["--split-by", "region", "--region", "cn-hangzhou"],
            &[
                "--interval",
                "86400",
                "--id-scope",
                "global",
                "--format",
                "csv",
            ],
            &["--role", "sub", "--split-by", "app"],
        ];
        for q in queries {
            for threads in ["1", "2"] {
                let args = |input: &str| {
                    let mut a = vec!["usage", input, "--threads", threads];
                    a.extend_from_slice(q);
                    run(&a)
                };
                let (code, from_parquet, err) = args(path.to_str().unwrap());
                assert_eq!(code, Some(0), "{err}");
                let (_, from_csv, _) = args(csv.to_str().unwrap());
                assert!(!from_csv.is_empty());
                assert_eq!(from_parquet, from_csv, "{q:?}");
            }
        }
        std::fs::remove_file(&path).ok();
        std::fs::remove_file(&csv).ok();
    }

    /// Columns of other Arrow types than text are read as their text: numeric ids, large
    /// strings, dictionaries with other key types, 32-bit instants. A list column has no text
    /// form: the record is refused, naming the field.
    #[test]
    fn parquet_columns_of_other_types_read_as_their_text() {
        use std::sync::Arc;

        use mediameter_datafusion::datafusion::arrow::array::{
            ArrayRef, DictionaryArray, Int32Array, Int64Array, LargeStringArray, ListArray,
            StringArray, TimestampMillisecondArray, TimestampSecondArray,
        };
        use mediameter_datafusion::datafusion::arrow::datatypes::{Int8Type, Int16Type, Int32Type};
        use mediameter_datafusion::datafusion::arrow::record_batch::RecordBatch;
        use mediameter_datafusion::datafusion::parquet::arrow::ArrowWriter;

        let write = |name: &str, columns: Vec<(&str, ArrayRef)>| {
            let batch = RecordBatch::try_from_iter(columns).unwrap();
            let path =
                std::env::temp_dir().join(format!("mm-cli-{name}-{}.parquet", std::process::id()));
            let mut w =
                ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None)
                    .unwrap();
            w.write(&batch).unwrap();
            w.close().unwrap();
            path
        };
        let region: DictionaryArray<Int16Type> =
            vec![Some("r1"), None, Some("r1")].into_iter().collect();
        let role: DictionaryArray<Int8Type> = vec!["sub", "sub", "pub"].into_iter().collect();
        let columns = |user: ArrayRef| -> Vec<(&str, ArrayRef)> {
            vec![
                ("app", Arc::new(StringArray::from(vec!["a", "a", "a"]))),
                (
                    "channel",
                    Arc::new(LargeStringArray::from(vec!["c", "c", "d"])),
                ),
                ("user", user),
                ("role", Arc::new(role.clone())),
                (
                    "spec",
                    Arc::new(StringArray::from(vec!["720p", "audio", "720p"])),
                ),
                ("region", Arc::new(region.clone())),
                ("start", Arc::new(Int32Array::from(vec![0, 60, 0]))),
                ("end", Arc::new(Int64Array::from(vec![3600, 120, 90]))),
            ]
        };
        let typed = write("typed", columns(Arc::new(Int64Array::from(vec![7, 8, 7]))));
        let csv = std::env::temp_dir().join(format!("mm-cli-typed-{}.csv", std::process::id()));
        std::fs::write(
            &csv,
            "app,channel,user,role,spec,region,start,end
             a,c,7,sub,720p,r1,0,3600
             a,c,8,sub,audio,,60,120
             a,d,7,pub,720p,r1,0,90
",
        )
        .unwrap();
        for q in [
            &["--split-by", "region,spec"][..],
            &["--id-scope", "global"][..],
        ] {
            let args = |input: &std::path::Path| {
                let mut a = vec!["usage", input.to_str().unwrap(), "--format", "csv"];
                a.extend_from_slice(q);
                run(&a)
            };
            let (code, out, err) = args(&typed);
            assert_eq!(code, Some(0), "{err}");
            assert_eq!(out, args(&csv).1, "{q:?}");
        }
        // Timestamps, in any unit, are read as the instants they are.
        let mut stamped = columns(Arc::new(Int64Array::from(vec![7, 8, 7])));
        stamped[6].1 = Arc::new(TimestampMillisecondArray::from(vec![0, 60_000, 0]));
        stamped[7].1 = Arc::new(TimestampSecondArray::from(vec![3600, 120, 90]));
        let stamped = write("stamped", stamped);
        let (code, out, err) = run(&["usage", stamped.to_str().unwrap(), "--format", "csv"]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(
            out,
            run(&["usage", csv.to_str().unwrap(), "--format", "csv"]).1
        );
        let lists = write(
            "lists",
            columns(Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(
                [Some(vec![Some(1)]), Some(vec![]), None],
            ))),
        );
        let (code, _, err) = run(&["usage", lists.to_str().unwrap()]);
        assert_eq!(code, Some(1), "{err}");
        // A list's values are leaves of their own, not the column `user`: the user is missing.
        assert!(err.contains("line 1, field user"), "{err}");
        for p in [typed, csv, lists, stamped] {
            std::fs::remove_file(p).ok();
        }
    }

    #[test]
    fn a_bad_parquet_record_is_named_or_skipped() {
        let text = "app,channel,user,role,spec,region,start,end\n\
                    a,c,u1,sub,720p,r,0,60\n\
                    a,c,u2,sub,720p,r,0,120\n";
        let segs = mediameter_usage::parse_csv(text).unwrap();
        let batch = mediameter_datafusion::segments_to_batch(&segs).unwrap();
        // Record 2's spec is not one core knows: rewrite that column.
        use mediameter_datafusion::datafusion::arrow::array::{ArrayRef, StringArray};
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        let spec = batch.schema().index_of("spec").unwrap();
        columns[spec] = std::sync::Arc::new(StringArray::from(vec!["720p", "8k"]));
        let batch = mediameter_datafusion::datafusion::arrow::record_batch::RecordBatch::try_new(
            batch.schema(),
            columns,
        )
        .unwrap();
        let path = std::env::temp_dir().join(format!("mm-cli-bad-{}.parquet", std::process::id()));
        let mut w = mediameter_datafusion::datafusion::parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(&path).unwrap(),
            batch.schema(),
            None,
        )
        .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let parquet = path.to_str().unwrap();
        let (code, _, err) = run(&["usage", parquet]);
        assert_eq!(code, Some(1), "{err}");
        assert!(
            err.contains("line 2") && err.contains("spec") && err.contains("8k"),
            "{err}"
        );
        let (code, out, err) = run(&["usage", parquet, "--skip-bad", "--format", "csv"]);
        assert_eq!(code, Some(0), "{err}");
        assert!(err.contains("skipped 1 bad record"), "{err}");
        let only = std::env::temp_dir().join(format!("mm-cli-good-{}.csv", std::process::id()));
        std::fs::write(
            &only,
            "app,channel,user,role,spec,region,start,end\na,c,u1,sub,720p,r,0,60\n",
        )
        .unwrap();
        let (_, expected, _) = run(&["usage", only.to_str().unwrap(), "--format", "csv"]);
        assert_eq!(out, expected);
        std::fs::remove_file(&path).ok();
        std::fs::remove_file(&only).ok();
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
